import type { ControllerVerification } from "../domain/controller-verification";
import type { SignatureObject } from "../domain/iscc-sig";

/** What the registry signs when it registers a declaration (ISCC-SIG, by the registry key). */
export interface Receipt {
  type: "OptOutReceipt";
  id: string;
  seq: number;
  digest: string;
  registered_at: string;
  registry: string;
  /** The controller check made at registration (see src/domain/controller-verification.ts). */
  verification?: ControllerVerification;
  signature?: SignatureObject;
}

export type DeclarationStatus = "active" | "superseded" | "revoked";
