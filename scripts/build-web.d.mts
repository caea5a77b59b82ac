/** Types of scripts/build-web.mjs, for the vitest config and the web benchmark. */
export declare const WEB_OUT: string;
export declare const WEB_METAFILE: string;
export interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { bytes: number; imports: { path: string; kind: string }[]; entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}
export declare function buildWeb(opts?: { quiet?: boolean; force?: boolean }): Promise<Metafile>;
