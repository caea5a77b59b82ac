/**
 * The text of an EPUB: its content documents in reading (spine) order, each one's visible text
 * (html-text.ts), separated by line breaks. The container is unzipped with fflate (small, maintained, no
 * native code). iscc-sdk uses Apache Tika's EPUB parser, which also reads the spine's XHTML documents
 * body text; see src/iscc/README.md for what can differ.
 */
import { unzipSync, strFromU8 } from "fflate";
import { Parser } from "htmlparser2";
import { htmlVisibleText } from "./html-text.js";

export class EpubError extends Error {}

/** Attribute values of every element named `tag` (case-insensitive, namespace prefix ignored). */
function elements(xml: string, tag: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name.toLowerCase().replace(/^.*:/, "") === tag) found.push(attrs);
      },
    },
    { xmlMode: true },
  );
  parser.write(xml);
  parser.end();
  return found;
}

function resolve(base: string, href: string): string {
  const parts = base.split("/").slice(0, -1);
  for (const p of decodeURIComponent(href.split("#")[0]!).split("/")) {
    if (p === "..") parts.pop();
    else if (p !== "." && p !== "") parts.push(p);
  }
  return parts.join("/");
}

export function epubText(bytes: Uint8Array): string {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new EpubError(`not a readable EPUB (zip): ${(e as Error).message}`);
  }
  const container = files["META-INF/container.xml"];
  if (!container) throw new EpubError("EPUB has no META-INF/container.xml");
  const rootfile = elements(strFromU8(container), "rootfile")[0]?.["full-path"];
  const opf = rootfile ? files[rootfile] : undefined;
  if (!rootfile || !opf) throw new EpubError("EPUB names no readable package document");
  const pkg = strFromU8(opf);
  const manifest = new Map<string, { href: string; type: string }>();
  for (const item of elements(pkg, "item")) {
    if (item.id && item.href) manifest.set(item.id, { href: resolve(rootfile, item.href), type: item["media-type"] ?? "" });
  }
  const texts: string[] = [];
  for (const ref of elements(pkg, "itemref")) {
    const item = ref.idref ? manifest.get(ref.idref) : undefined;
    const doc = item ? files[item.href] : undefined;
    if (!item || !doc || !/html/.test(item.type)) continue;
    texts.push(htmlVisibleText(strFromU8(doc), item.type === "application/xhtml+xml"));
  }
  return texts.join("\n");
}
