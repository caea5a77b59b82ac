import { Problem } from "./problem";

/**
 * Reads a request (or response) body up to `limit` bytes. Content-Length is checked first so that an honest
 * oversize request is refused without reading it; the stream is still counted because the
 * header may be absent (chunked) or wrong.
 */
export async function readBody(req: Pick<Request, "headers" | "body">, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(all);
  } catch {
    throw new Problem("malformed-body", "The body is not valid UTF-8");
  }
}

export async function readJson(req: Pick<Request, "headers" | "body">, limit: number): Promise<unknown> {
  const text = await readBody(req, limit);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Problem("malformed-json", `The body is not valid JSON: ${(e as Error).message}`);
  }
}

function tooLarge(limit: number): Problem {
  return new Problem("body-too-large", `The body exceeds the limit of ${limit} bytes`, [], { limit });
}
