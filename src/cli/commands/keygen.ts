import { defineCommand } from "../command";
import { checkController, writeNewKeyFile } from "../key-file";

export default defineCommand({
  name: "keygen",
  args: "",
  summary: "create your signing key (a key file, mode 0600; never overwritten)",
  flags: {
    controller: { type: "string", value: "DID", help: "did:web:HOST whose did.json will list this key (optional)" },
  },
  async run(ctx) {
    const path = ctx.keyPath();
    const controller = ctx.flags.controller;
    const file = await writeNewKeyFile(path, controller !== undefined ? checkController(controller) : undefined);
    ctx.print(
      { path, pubkey: file.pubkey, ...(file.controller ? { controller: file.controller } : {}) },
      (k) =>
        `Wrote ${k.path} (mode 0600)\n  pubkey  ${k.pubkey}${k.controller ? `\n  controller  ${k.controller}` : ""}\n` +
        "Keep this file safe: only this key can update or revoke what you declare with it.",
    );
    return 0;
  },
});
