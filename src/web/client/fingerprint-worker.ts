/**
 * A Web Worker that fingerprints files: the CLI's rules (src/web/file-code.ts) on the file's bytes,
 * streamed, with the project's ISCC library and pure-JavaScript BLAKE3 (no WebAssembly, so the strict
 * CSP holds). Only codes are posted back.
 *
 * Images are decoded by the browser (createImageBitmap → OffscreenCanvas) with no colour conversion
 * and no alpha premultiplication, then normalized by the library exactly as the CLI does after its
 * decoder (sharp/libvips). The browser applies the EXIF orientation itself. test/e2e/web-app.test.ts
 * compares the codes with the CLI's on real PNG and JPEG files.
 */
import { fileCode, type ImageDecoder } from "../file-code";

export type FingerprintRequest = { id: number; file: Blob; name?: string };
export type FingerprintReply =
  | { id: number; ok: true; iscc: string; datahash: string; kind: string; units: Record<string, string>; filesize: number; notComputed?: string; ms: number }
  | { id: number; ok: false; error: string };

const decodeImage: ImageDecoder = async (bytes, mediatype) => {
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: mediatype }), {
    colorSpaceConversion: "none",
    premultiplyAlpha: "none",
    imageOrientation: "from-image",
  });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext("2d", { willReadFrequently: true, colorSpace: "srgb" })!;
    ctx.drawImage(bitmap, 0, 0);
    const { data, width, height } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height }, orientation: 1 };
  } finally {
    bitmap.close();
  }
};

async function* chunksOf(file: Blob): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/** This file runs as a dedicated worker; the DOM typings describe a window, so name what is used. */
const scope = self as unknown as { onmessage: ((e: MessageEvent<FingerprintRequest>) => void) | null; postMessage(m: FingerprintReply): void };

scope.onmessage = async (e) => {
  const { id, file, name } = e.data;
  const started = performance.now();
  try {
    const r = await fileCode(chunksOf(file), { size: file.size, decodeImage, ...(name ? { name } : {}) });
    const reply: FingerprintReply = {
      id,
      ok: true,
      iscc: r.iscc,
      datahash: r.datahash,
      kind: r.kind,
      units: r.units,
      filesize: r.filesize,
      ...(r.notComputed ? { notComputed: r.notComputed } : {}),
      ms: performance.now() - started,
    };
    scope.postMessage(reply);
  } catch (err) {
    scope.postMessage({ id, ok: false, error: (err as Error).message || String(err) });
  }
};
