/**
 * The visible text of an HTML or XHTML document: the character data of <body> (of the whole document when
 * it has none), without script, style, template, noscript and the like, entities decoded, block elements
 * separated by line breaks. Pure.
 *
 * iscc-sdk extracts it with Apache Tika, whose body content handler also keeps only body text and drops
 * script and style. Whitespace placement may differ from Tika's, which does not change the Text-Code
 * (text_collapse removes all whitespace and punctuation before hashing).
 */
import { Parser } from "htmlparser2";

const HIDDEN = new Set(["script", "style", "template", "noscript", "head", "title", "svg", "math", "iframe", "object"]);
const BLOCK = new Set([
  "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "section", "article", "header", "footer", "nav",
  "aside", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "hr", "dd", "dt", "dl", "figure", "figcaption",
  "main", "address", "caption", "form", "fieldset", "legend", "body",
]);

export function htmlVisibleText(html: string, xml = false): string {
  let hidden = 0;
  let inBody = false;
  let sawBody = false;
  const body: string[] = [];
  const all: string[] = [];
  const parser = new Parser(
    {
      onopentag(name) {
        const n = name.toLowerCase();
        if (n === "body") {
          inBody = true;
          sawBody = true;
        }
        if (HIDDEN.has(n)) hidden++;
        if (BLOCK.has(n)) (inBody ? body : all).push("\n");
      },
      onclosetag(name) {
        const n = name.toLowerCase();
        if (HIDDEN.has(n) && hidden > 0) hidden--;
        if (BLOCK.has(n)) (inBody ? body : all).push("\n");
        if (n === "body") inBody = false;
      },
      ontext(text) {
        if (hidden > 0) return;
        (inBody ? body : all).push(text);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, xmlMode: xml, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return (sawBody ? body : all).join("");
}
