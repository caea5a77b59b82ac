/**
 * The lines of a Spawning-style text/plain query, each one URL. Clients match answers to their
 * input by position, so every line counts, blank ones included: splitting "\n".join(urls) must
 * give back `urls`. The one exception is a single trailing newline (or CRLF), which ends the last
 * line rather than starting an empty one. A CR before a newline belongs to the line ending.
 */
export function queryLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}
