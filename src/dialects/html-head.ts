/**
 * The elements of an HTML document's head that carry preferences: `<meta name content>` (TDMRep's
 * `tdm-reservation`/`tdm-policy`, robots meta), `<link rel="license">` (RSL discovery) and
 * `<script type="application/rsl+xml">` (an RSL license embedded in the page). A scanner, not an
 * HTML parser: it reads start tags and their attributes as HTML tokenization does (quoted,
 * unquoted and bare attributes, names case-insensitive, the first of a repeated attribute wins),
 * skips comments, and stops at `<body`, since these elements belong in the head.
 */

export interface HeadTag {
  tag: "meta" | "link";
  attrs: Record<string, string>;
}

export interface HtmlHead {
  tags: HeadTag[];
  /** Text of every `<script type="application/rsl+xml">`. */
  rslScripts: string[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const cp = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** Attributes of a start tag from just after its name; returns them and the index after '>'. */
function readAttributes(html: string, i: number): { attrs: Record<string, string>; end: number } {
  const attrs: Record<string, string> = {};
  while (i < html.length) {
    while (/[\s/]/.test(html[i] ?? "")) i++;
    if (html[i] === ">" || i >= html.length) return { attrs, end: i + 1 };
    const nameStart = i;
    while (i < html.length && !/[\s/>=]/.test(html[i]!)) i++;
    const name = html.slice(nameStart, i).toLowerCase();
    while (/\s/.test(html[i] ?? "")) i++;
    let value = "";
    if (html[i] === "=") {
      i++;
      while (/\s/.test(html[i] ?? "")) i++;
      const q = html[i];
      if (q === '"' || q === "'") {
        const end = html.indexOf(q, i + 1);
        value = html.slice(i + 1, end < 0 ? html.length : end);
        i = end < 0 ? html.length : end + 1;
      } else {
        const start = i;
        while (i < html.length && !/[\s>]/.test(html[i]!)) i++;
        value = html.slice(start, i);
      }
    }
    if (name && !(name in attrs)) attrs[name] = decodeEntities(value);
  }
  return { attrs, end: i };
}

export function scanHtmlHead(html: string): HtmlHead {
  const out: HtmlHead = { tags: [], rslScripts: [] };
  const lower = html.toLowerCase();
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt < 0) break;
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const m = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(lt, lt + 32));
    if (!m) {
      i = lt + 1;
      continue;
    }
    const tag = m[1]!.toLowerCase();
    if (tag === "body") break;
    const { attrs, end } = readAttributes(html, lt + m[0].length);
    i = end;
    if (tag === "meta" || tag === "link") out.tags.push({ tag, attrs });
    else if (tag === "script" || tag === "style" || tag === "title" || tag === "textarea") {
      // Raw text: skip to the end tag, keeping an RSL script's text.
      const close = lower.indexOf(`</${tag}`, i);
      const body = html.slice(i, close < 0 ? html.length : close);
      if (tag === "script" && (attrs.type ?? "").trim().toLowerCase() === "application/rsl+xml") out.rslScripts.push(body);
      i = close < 0 ? html.length : close;
    }
  }
  return out;
}

/** The content of every `<meta name=…>` with this name (case-insensitive), in document order. */
export function metaContents(head: HtmlHead, name: string): string[] {
  return head.tags.filter((t) => t.tag === "meta" && (t.attrs.name ?? "").toLowerCase() === name && "content" in t.attrs).map((t) => t.attrs.content!);
}

/** The href of every `<link>` whose rel includes `license` and whose type (if any) is `type`. */
export function licenseLinks(head: HtmlHead, type: string): string[] {
  return head.tags
    .filter((t) => t.tag === "link" && (t.attrs.rel ?? "").toLowerCase().split(/\s+/).includes("license") && t.attrs.href)
    .filter((t) => t.attrs.type === undefined || t.attrs.type.trim().toLowerCase() === type)
    .map((t) => t.attrs.href!);
}
