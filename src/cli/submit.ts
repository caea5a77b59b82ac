/**
 * Signs a declaration with the declarant's key and posts it: what `declare`, `update` and `revoke`
 * share. The receipt carries no subjects, so the summary is made from what was sent.
 */
import type { Context } from "./command";
import { signDeclaration, type Unsigned } from "./declaration";
import { checkController, readKeyFile } from "./key-file";
import type { Receipt } from "./render";

/** The key file's keypair; --controller, when given, replaces the file's controller. */
export async function loadKey(ctx: Context) {
  const { keypair, warning } = await readKeyFile(ctx.keyPath());
  if (warning) ctx.err(warning);
  const controller = ctx.flags.controller;
  if (typeof controller === "string") keypair.controller = checkController(controller);
  return keypair;
}

export async function submitDeclaration(
  ctx: Context,
  build: () => Promise<Unsigned>,
  summary: (r: Receipt, created: boolean, sent: Unsigned) => string,
): Promise<number> {
  // The key before `build`: a missing key file should fail before minutes of hashing a large --file.
  const keypair = await loadKey(ctx);
  const unsigned = await build();
  const signed = await signDeclaration(unsigned, keypair);
  const { status, body } = await ctx.registry().post<Receipt>("v1/declarations", signed);
  ctx.print(body, (r) => summary(r, status === 201, unsigned));
  return 0;
}
