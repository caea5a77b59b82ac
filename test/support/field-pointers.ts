import { ValidationError } from "../../src/domain/field-error";

/** The JSON pointers of the fields a pure parser refused ([] when it accepted); any other error propagates. */
export function fieldPointers(parse: () => unknown): string[] {
  try {
    parse();
  } catch (e) {
    if (e instanceof ValidationError) return e.errors.map((x) => x.pointer);
    throw e;
  }
  return [];
}
