// Types of dev-vars.mjs, for the TypeScript tests that import it (the scripts run as plain JS, with no build step).
export function newSecretMultikey(): string;
export function ensureDevVars(file?: string | URL): void;
export function readVar(file: string | URL, name: string): string | undefined;
export function devVar(
  name: string,
  fallback: string | undefined,
  varsFiles: (string | URL)[],
  env?: Record<string, string | undefined>,
): { value: string | undefined; args: string[] };
