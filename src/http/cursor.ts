import { Problem } from "./problem";

/** Opaque page cursors: base64url of the last seq seen, so clients never build them by hand. */
export function encodeCursor(seq: number): string {
  return btoa(`s${seq}`).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

export function decodeCursor(cursor: string | undefined, pointer = "/cursor"): number {
  if (!cursor) return 0;
  let text = "";
  try {
    text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    /* reported below */
  }
  const m = /^s(\d{1,15})$/.exec(text);
  if (!m) throw Problem.field(pointer, "not a cursor returned by this API");
  return Number(m[1]);
}
