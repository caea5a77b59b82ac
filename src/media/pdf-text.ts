/**
 * The text of a PDF as iscc-sdk extracts it: PDFium's bounded text of each page's bounding box
 * (FPDFText_GetBoundedText over FPDF_GetPageBoundingBox, what pypdfium2's get_text_bounded() calls),
 * pages joined by "\n". PDFium comes as WebAssembly from @embedpdf/pdfium (maintained, MIT, no native
 * build), loaded once per thread on first use.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { init, type WrappedPdfiumModule } from "@embedpdf/pdfium";

export class PdfError extends Error {}

let pdfium: Promise<WrappedPdfiumModule> | undefined;

function load(): Promise<WrappedPdfiumModule> {
  pdfium ??= (async () => {
    const wasm = await readFile(createRequire(import.meta.url).resolve("@embedpdf/pdfium/pdfium.wasm"));
    const m = await init({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer });
    m.PDFiumExt_Init();
    return m;
  })();
  return pdfium;
}

export async function pdfText(bytes: Uint8Array): Promise<string> {
  const m = await load();
  // the Emscripten heap view is replaced when memory grows, so it is read anew each time
  const heap = () => (m.pdfium as unknown as { HEAPU8: Uint8Array }).HEAPU8;
  const buf = m.pdfium.wasmExports.malloc(bytes.length);
  heap().set(bytes, buf);
  const doc = m.FPDF_LoadMemDocument(buf, bytes.length, "");
  try {
    if (!doc) throw new PdfError(`PDFium cannot open the document (error ${m.FPDF_GetLastError()})`);
    const pages: string[] = [];
    const rect = m.pdfium.wasmExports.malloc(16);
    try {
      for (let i = 0; i < m.FPDF_GetPageCount(doc); i++) {
        const page = m.FPDF_LoadPage(doc, i);
        if (!page) throw new PdfError(`PDFium cannot load page ${i + 1}`);
        const text = m.FPDFText_LoadPage(page);
        try {
          let left = 0;
          let bottom = 0;
          let right = m.FPDF_GetPageWidthF(page);
          let top = m.FPDF_GetPageHeightF(page);
          if (m.FPDF_GetPageBoundingBox(page, rect)) {
            const f = new Float32Array(heap().buffer, rect, 4);
            [left, top, right, bottom] = [f[0]!, f[1]!, f[2]!, f[3]!];
          }
          const n = m.FPDFText_GetBoundedText(text, left, top, right, bottom, 0, 0);
          if (n > 0) {
            const out = m.pdfium.wasmExports.malloc(n * 2);
            m.FPDFText_GetBoundedText(text, left, top, right, bottom, out, n);
            pages.push(new TextDecoder("utf-16le").decode(heap().slice(out, out + n * 2)));
            m.pdfium.wasmExports.free(out);
          } else {
            pages.push("");
          }
        } finally {
          m.FPDFText_ClosePage(text);
          m.FPDF_ClosePage(page);
        }
      }
    } finally {
      m.pdfium.wasmExports.free(rect);
    }
    return pages.join("\n");
  } finally {
    if (doc) m.FPDF_CloseDocument(doc);
    m.pdfium.wasmExports.free(buf);
  }
}
