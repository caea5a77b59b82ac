import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { tsImport } from "tsx/esm/api";

/**
 * The Worker's outbound fetches in the workers tests go here instead of the network: did:web
 * documents (rights.example lists the public key of the fixed test seed 0x42…42), and a fake peer
 * registry (test/fakes/peer-registry.ts).
 */
const DID_DOCUMENTS: Record<string, unknown> = {
  "https://rights.example/.well-known/did.json": {
    "@context": ["https://www.w3.org/ns/did/v1"],
    id: "did:web:rights.example",
    verificationMethod: [
      {
        id: "did:web:rights.example#key-1",
        type: "Multikey",
        controller: "did:web:rights.example",
        publicKeyMultibase: "z6MkghLt1e8m1fmANsdJJco3aCLV8Xnigr5UWwC3u5iZFPd3",
      },
    ],
  },
};

// The config itself is loaded by Node's own resolver, which the project's extensionless imports
// defeat; tsx loads the fake (and the src/log code it uses) on first use.
type FakePeer = typeof import("./test/fakes/peer-registry");
let fakePeer: Promise<FakePeer> | undefined;

async function outbound(request: Request): Promise<Response> {
  if (new URL(request.url).host === "log-peer.test") {
    fakePeer ??= tsImport("./test/fakes/peer-registry.ts", import.meta.url) as Promise<FakePeer>;
    return (await fakePeer).fakePeerRegistry(request);
  }
  const doc = DID_DOCUMENTS[request.url];
  return doc ? Response.json(doc) : new Response("not found", { status: 404 });
}

// Two projects: pure modules run in Node (fast, no runtime to boot); everything that touches
// D1, Durable Objects or HTTP runs inside workerd with migrations applied.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      projects: [
        {
          test: {
            name: "unit",
            include: ["test/unit/**/*.test.ts"],
            environment: "node",
            // Property tests run thousands of cases; on a loaded 2-core machine they need more than 5 s.
            testTimeout: 30000,
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                outboundService: outbound,
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  REGISTRY_SECRET_KEY: "z3u2RHjyPwZWQHJNq3mNd4EZcbsHy4QMc5HFjriuXBzUG5Qs",
                  OPERATOR_TOKEN: "test-operator-token",
                  // Limits are on by default; the suite sends far more than any client may, so they are
                  // off here, and test/workers/rate-limits.test.ts turns them on for its own requests.
                  RATE_LIMITS: "off",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/workers/**/*.test.ts"],
            setupFiles: ["./test/workers/apply-migrations.ts"],
          },
        },
        { test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", testTimeout: 60000, hookTimeout: 120000 } },
      ],
    },
  };
});
