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

/** What the registry signs when it notarizes an observation: its place in the log, for its digest. */
export interface ObservationReceipt {
  type: "OptOutObservationReceipt";
  seq: number;
  /** Hex SHA-256 of the canonical signed observation. */
  digest: string;
  registered_at: string;
  registry: string;
  signature?: SignatureObject;
}
