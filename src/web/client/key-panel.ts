/**
 * The signing key on the device: created here or imported from the CLI's key file, exported in the
 * same format, kept in this tab's sessionStorage (gone when the tab closes; never sent anywhere).
 * Other code (the declare and my-declarations islands, later an agent acting for members) asks
 * `currentKey()` and listens with `onKeyChange`.
 */
import { KeyFileError, newKeyFile, parseKeyFile, serializeKeyFile, type KeyFile } from "../../domain/key-file";
import type { Keypair } from "../../domain/iscc-sig";
import { $, download, fieldError, page } from "./page";

const STORAGE = "optout.key";
let current: { file: KeyFile; keypair: Keypair } | null = null;
const listeners: ((k: typeof current) => void)[] = [];

export function currentKey(): { file: KeyFile; keypair: Keypair } | null {
  return current;
}

export function onKeyChange(fn: (k: typeof current) => void): void {
  listeners.push(fn);
}

function set(k: typeof current, message?: string): void {
  current = k;
  if (k) sessionStorage.setItem(STORAGE, serializeKeyFile(k.file));
  else sessionStorage.removeItem(STORAGE);
  render(message);
  for (const fn of listeners) fn(k);
}

function render(message?: string): void {
  const { tr } = page();
  const status = $("key-status");
  if (current) {
    const who = current.file.controller ? ` · ${tr.t("key.controller")}: ${current.file.controller}` : "";
    status.textContent = `${message ? message + " " : ""}${tr.t("key.loaded")}: ${current.file.pubkey}${who}`;
  } else {
    status.textContent = message ? `${message} ${tr.t("key.none")}` : tr.t("key.none");
  }
  $("key-actions-loaded").hidden = !current;
  $("key-actions-none").hidden = !!current;
}

/** Binds the key panel of the page; restores the key this tab already loaded. */
export function initKeyPanel(): void {
  const { tr } = page();
  const saved = sessionStorage.getItem(STORAGE);
  if (saved) {
    try {
      current = parseKeyFile(saved);
    } catch {
      sessionStorage.removeItem(STORAGE);
    }
  }
  render();
  $("key-create").addEventListener("click", () => {
    const controller = $<HTMLInputElement>("key-controller").value.trim();
    try {
      const k = newKeyFile(controller || undefined);
      fieldError("key-controller", "");
      set(k, tr.t("key.created"));
      $("key-backup").focus();
    } catch (e) {
      if (!(e instanceof KeyFileError)) throw e;
      fieldError("key-controller", tr.t("key.error.controller"));
      $("key-controller").focus();
    }
  });
  $<HTMLInputElement>("key-import").addEventListener("change", async (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    try {
      const k = parseKeyFile(await file.text());
      fieldError("key-import", "");
      set(k, tr.t("key.imported"));
    } catch (err) {
      fieldError("key-import", tr.t("key.error.bad", { reason: (err as Error).message }));
    } finally {
      input.value = "";
    }
  });
  $("key-backup").addEventListener("click", () => {
    if (current) download(`optout-key-${current.file.pubkey.slice(0, 12)}.json`, serializeKeyFile(current.file));
  });
  $("key-forget").addEventListener("click", () => {
    set(null, tr.t("key.forgotten"));
    $("key-create").focus();
  });
}
