import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PUBLISH_FILES, type PublishFile } from "../../dialects/publish";
import { encodeEd25519PublicMultikey } from "../../domain/multikey";
import { defineCommand } from "../command";
import { CliError, EXIT_USAGE } from "../errors";
import { readKeyFile } from "../key-file";

export default defineCommand({
  name: "publish",
  args: "<host> [file]...",
  summary: `the files to publish on a site from your declarations for it (${PUBLISH_FILES.join(", ")})`,
  flags: {
    declarant: { type: "string", value: "KEY|DID", help: "whose declarations (default: your key file's public key)" },
    out: { type: "string", value: "DIR", help: "write each file into DIR instead of printing them" },
  },
  async run(ctx, [host, ...files]) {
    const wanted = (files.length ? files : [...PUBLISH_FILES]) as PublishFile[];
    for (const f of wanted) if (!(PUBLISH_FILES as readonly string[]).includes(f)) throw new CliError(`no such file to publish: ${f} (${PUBLISH_FILES.join(", ")})`, EXIT_USAGE);
    let declarant = ctx.flags.declarant;
    if (declarant === undefined) {
      const { keypair } = await readKeyFile(ctx.keyPath());
      declarant = encodeEd25519PublicMultikey(keypair.publicKey);
    }
    const registry = ctx.registry();
    const bodies: [PublishFile, string][] = [];
    for (const f of wanted) bodies.push([f, await registry.getText(`v1/publish/${encodeURIComponent(host!.toLowerCase())}/${f}?declarant=${encodeURIComponent(declarant)}`)]);
    if (ctx.flags.out !== undefined) {
      await mkdir(ctx.flags.out, { recursive: true });
      for (const [f, body] of bodies) {
        await writeFile(join(ctx.flags.out, f), body);
        ctx.err(`wrote ${join(ctx.flags.out, f)}`);
      }
    } else if (ctx.json) {
      ctx.out(JSON.stringify(Object.fromEntries(bodies), null, 2));
    } else {
      ctx.out(bodies.map(([f, body]) => (bodies.length > 1 ? `==> ${f} <==\n${body}` : body)).join("\n"));
    }
    return 0;
  },
});
