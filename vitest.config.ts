import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { tsImport } from "tsx/esm/api";

/**
 * The Worker's outbound fetches in the workers tests go to test/fakes/outbound.ts instead of the
 * network: fake peer registries and fake did:web hosts. The config itself is loaded by Node's own
 * resolver, which the project's extensionless imports defeat; tsx loads the fakes (and the src
 * code they use) on first use.
 */
type Outbound = typeof import("./test/fakes/outbound");
let fakes: Promise<Outbound> | undefined;

async function outbound(request: Request): Promise<Response> {
  fakes ??= tsImport("./test/fakes/outbound.ts", import.meta.url) as Promise<Outbound>;
  return (await fakes).outbound(request);
}

// Two projects: pure modules run in Node (fast, no runtime to boot); everything that touches
// D1, Durable Objects or HTTP runs inside workerd with migrations applied.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  // The web app's static assets ([assets] in wrangler.toml) must exist before the Workers project reads it.
  const { buildWeb } = await import("./scripts/build-web.mjs");
  await buildWeb({ quiet: true });
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
                // A second database standing in for a D1 read replica that lags (test/workers/index-snapshots.test.ts).
                d1Databases: ["REPLICA"],
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  REGISTRY_SECRET_KEY: "z3u2RHjyPwZWQHJNq3mNd4EZcbsHy4QMc5HFjriuXBzUG5Qs",
                  OPERATOR_TOKEN: "test-operator-token",
                  // Limits are on by default; the suite sends far more than any client may, so they are
                  // off here, and test/workers/rate-limits.test.ts turns them on for its own requests.
                  RATE_LIMITS: "off",
                  // Notification retries after 100 ms, not 10 s: the retry test waits for one.
                  NOTIFY_RETRY_BASE_MS: "100",
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
