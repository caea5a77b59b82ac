/**
 * Debian's chromium driven by playwright-core (browser downloads are not possible here), for the web
 * app's browser tests and its benchmark. `haveChromium` follows test/support/system-tool.ts: a
 * missing browser fails under CI and is skipped loudly elsewhere.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { haveTools, locate } from "./system-tool";

export const CHROMIUM = { command: "/usr/bin/chromium", apt: "chromium" };

export const haveChromium = (what: string) => haveTools(what, CHROMIUM);

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: locate(CHROMIUM.command)!,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page. It is evaluated through the DevTools protocol, which the page's CSP
 * does not govern (an injected <script> would be refused, as it should be).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ["violations"] })`)) as { violations: AxeViolation[] };
  return result.violations;
}

/** The serious and critical ones, as short lines for an assertion message. */
export const seriousViolations = (v: AxeViolation[]) =>
  v.filter((x) => x.impact === "serious" || x.impact === "critical").map((x) => `${x.impact} ${x.id}: ${x.help} at ${x.nodes.map((n) => n.target.join(" ")).join(", ")}`);
