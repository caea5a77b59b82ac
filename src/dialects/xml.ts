/**
 * A small, strict XML 1.0 reader for the documents dialects carry (RSL licenses, XMP packets):
 * elements, attributes, namespaces, character and the five predefined entity references, CDATA,
 * comments and processing instructions. A DOCTYPE is refused: these formats never need one, and
 * refusing it rules out entity expansion from hostile input. Not well-formed input throws XmlError.
 * Workers have no DOMParser, hence this module; it is pure and runs anywhere.
 */

export interface XmlElement {
  /** The qualified name as written, e.g. "rsl:content". */
  name: string;
  local: string;
  /** The namespace URI the prefix (or the default namespace) resolves to; "" for none. */
  ns: string;
  attrs: XmlAttribute[];
  children: (XmlElement | string)[];
}

export interface XmlAttribute {
  name: string;
  local: string;
  ns: string;
  value: string;
}

export class XmlError extends Error {
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = "XmlError";
  }
}

const NAME = /^[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]*/;
const XML_NS = "http://www.w3.org/XML/1998/namespace";

export function parseXml(text: string): XmlElement {
  let i = text.startsWith("\uFEFF") ? 1 : 0;
  const fail = (message: string): never => {
    throw new XmlError(message, i);
  };

  const skipMisc = () => {
    for (;;) {
      while (/\s/.test(text[i] ?? "")) i++;
      if (text.startsWith("<!--", i)) {
        const end = text.indexOf("-->", i + 4);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else if (text.startsWith("<?", i)) {
        const end = text.indexOf("?>", i + 2);
        if (end < 0) fail("unterminated processing instruction");
        i = end + 2;
      } else if (text.startsWith("<!DOCTYPE", i)) {
        fail("a DOCTYPE is not accepted");
      } else return;
    }
  };

  const name = (): string => {
    const m = NAME.exec(text.slice(i, i + 256));
    if (!m) fail("expected a name");
    i += m![0].length;
    return m![0];
  };

  const decode = (raw: string, at: number): string =>
    raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(";")) throw new XmlError("unterminated entity reference", at);
      if (ref === "lt") return "<";
      if (ref === "gt") return ">";
      if (ref === "amp") return "&";
      if (ref === "quot") return '"';
      if (ref === "apos") return "'";
      const m = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref);
      if (!m) throw new XmlError(`unknown entity '&${ref};'`, at);
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
      if (cp === 0 || cp > 0x10ffff) throw new XmlError("character reference out of range", at);
      return String.fromCodePoint(cp);
    });

  const element = (scope: Map<string, string>): XmlElement => {
    if (text[i] !== "<") fail("expected '<'");
    i++;
    const qname = name();
    const rawAttrs: { name: string; value: string }[] = [];
    for (;;) {
      const before = i;
      while (/\s/.test(text[i] ?? "")) i++;
      if (text[i] === "/" || text[i] === ">") break;
      if (i === before) fail("expected whitespace before an attribute");
      const an = name();
      while (/\s/.test(text[i] ?? "")) i++;
      if (text[i] !== "=") fail("expected '='");
      i++;
      while (/\s/.test(text[i] ?? "")) i++;
      const quote = text[i];
      if (quote !== '"' && quote !== "'") fail("expected a quoted attribute value");
      const end = text.indexOf(quote!, i + 1);
      if (end < 0) fail("unterminated attribute value");
      const raw = text.slice(i + 1, end);
      if (raw.includes("<")) fail("'<' in an attribute value");
      if (rawAttrs.some((a) => a.name === an)) fail(`duplicate attribute '${an}'`);
      rawAttrs.push({ name: an, value: decode(raw, i).replace(/[\t\n\r]/g, " ") });
      i = end + 1;
    }
    const inner = new Map(scope);
    for (const a of rawAttrs) {
      if (a.name === "xmlns") inner.set("", a.value);
      else if (a.name.startsWith("xmlns:")) inner.set(a.name.slice(6), a.value);
    }
    const resolve = (qualified: string, isAttr: boolean): { local: string; ns: string } => {
      const colon = qualified.indexOf(":");
      if (colon < 0) return { local: qualified, ns: isAttr ? "" : (inner.get("") ?? "") };
      const prefix = qualified.slice(0, colon);
      if (prefix === "xml") return { local: qualified.slice(colon + 1), ns: XML_NS };
      const ns = inner.get(prefix);
      if (ns === undefined) fail(`undeclared namespace prefix '${prefix}'`);
      return { local: qualified.slice(colon + 1), ns: ns! };
    };
    const el: XmlElement = {
      name: qname,
      ...resolve(qname, false),
      attrs: rawAttrs.filter((a) => a.name !== "xmlns" && !a.name.startsWith("xmlns:")).map((a) => ({ name: a.name, ...resolve(a.name, true), value: a.value })),
      children: [],
    };
    if (text.startsWith("/>", i)) {
      i += 2;
      return el;
    }
    i++; // '>'
    let textRun = "";
    const flush = () => {
      if (textRun !== "") el.children.push(textRun);
      textRun = "";
    };
    for (;;) {
      if (i >= text.length) fail(`unclosed element <${qname}>`);
      if (text.startsWith("</", i)) {
        i += 2;
        const closing = name();
        if (closing !== qname) fail(`</${closing}> closes <${qname}>`);
        while (/\s/.test(text[i] ?? "")) i++;
        if (text[i] !== ">") fail("expected '>'");
        i++;
        flush();
        return el;
      }
      if (text.startsWith("<!--", i)) {
        const end = text.indexOf("-->", i + 4);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else if (text.startsWith("<![CDATA[", i)) {
        const end = text.indexOf("]]>", i + 9);
        if (end < 0) fail("unterminated CDATA section");
        textRun += text.slice(i + 9, end);
        i = end + 3;
      } else if (text.startsWith("<?", i)) {
        const end = text.indexOf("?>", i + 2);
        if (end < 0) fail("unterminated processing instruction");
        i = end + 2;
      } else if (text[i] === "<") {
        flush();
        el.children.push(element(inner));
      } else {
        const next = text.indexOf("<", i);
        const end = next < 0 ? text.length : next;
        textRun += decode(text.slice(i, end), i);
        i = end;
      }
    }
  };

  skipMisc();
  const root = element(new Map());
  skipMisc();
  if (i < text.length) fail("content after the root element");
  return root;
}

export const childElements = (el: XmlElement): XmlElement[] => el.children.filter((c): c is XmlElement => typeof c !== "string");

/** The concatenated text of an element and its descendants. */
export function textContent(el: XmlElement): string {
  return el.children.map((c) => (typeof c === "string" ? c : textContent(c))).join("");
}

export function attribute(el: XmlElement, local: string, ns = ""): string | undefined {
  return el.attrs.find((a) => a.local === local && a.ns === ns)?.value;
}

/** Every descendant element (depth first, document order) with this namespace and local name. */
export function findAll(el: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of childElements(e)) {
      if (c.ns === ns && c.local === local) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

/** Text escaped for XML content and double-quoted attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
