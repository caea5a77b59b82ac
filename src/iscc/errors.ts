/** Raised for any malformed ISCC input or invalid generator argument; the message names the part that is wrong. */
export class IsccError extends Error {
  override name = "IsccError";
}
