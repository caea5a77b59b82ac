/** What every island shares: the page's data block, the translator, and a few DOM helpers. */
import type { PageData } from "../page-data";
import { translator, type Translator } from "../i18n/translate";

export function pageData(): PageData {
  const block = document.getElementById("page-data");
  if (!block?.textContent) throw new Error("page data missing");
  return JSON.parse(block.textContent) as PageData;
}

let cached: { data: PageData; tr: Translator } | undefined;
export function page(): { data: PageData; tr: Translator } {
  if (!cached) {
    const data = pageData();
    cached = { data, tr: translator(data.locale, data.messages) };
  }
  return cached;
}

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
}

type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/** A small element builder: text children are set as text, never parsed as HTML. */
export function h(tag: string, attrs: Attrs = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Sets a field's error text (the element is a live alert next to the field) and marks the field invalid. */
export function fieldError(fieldId: string, message: string): void {
  const err = document.getElementById(`${fieldId}-error`);
  if (err) err.textContent = message;
  const field = document.getElementById(fieldId);
  if (field) {
    if (message) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
  }
}

/** Offers `text` as a file download, made on the device. */
export function download(filename: string, text: string, type = "application/json"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Adds drag-and-drop of files to a zone around a file input (the input stays the keyboard way in). */
export function dropZone(zone: HTMLElement, onFiles: (files: File[]) => void): void {
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });
}
