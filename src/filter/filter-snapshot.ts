/**
 * The per-isolate URL key filter (declared-urls.ts) as bytes, so that a fresh isolate loads it in one
 * read instead of reading every URL rule: the binary fuse filter's parameters and fingerprints, and
 * the table mark (domain/table-mark.ts) of the url_rules rows it was built from. Unsigned and
 * internal; the signed offline snapshot for crawlers is snapshot-format.ts. Format "OOUF" (sections.ts),
 * format 2: the keys of url-keys.ts with the "d" domain keys. A format 1 snapshot (without them) is
 * refused, and the isolate that finds one builds its filter from the rules and publishes a format 2.
 */
import { decodeSections, encodeSections, SectionsError } from "../encoding/sections";
import type { TableMark } from "../domain/table-mark";
import { BinaryFuse16 } from "./binary-fuse";

export const FILTER_SNAPSHOT_FORMAT = 2;
const MAGIC = "OOUF";

export interface FilterSnapshot {
  mark: TableMark;
  filter: BinaryFuse16;
}

export function encodeFilterSnapshot(s: FilterSnapshot): Uint8Array {
  const f = s.filter;
  return encodeSections(
    MAGIC,
    { format: FILTER_SNAPSHOT_FORMAT, mark: s.mark, seed: f.seed, segmentLength: f.segmentLength, segmentCountLength: f.segmentCountLength },
    [f.fingerprints],
  );
}

export function decodeFilterSnapshot(bytes: Uint8Array): FilterSnapshot {
  const { header, sections } = decodeSections(MAGIC, bytes);
  if (header.format !== FILTER_SNAPSHOT_FORMAT) throw new SectionsError(`filter snapshot format ${String(header.format)}, expected ${FILTER_SNAPSHOT_FORMAT}`);
  const mark = header.mark as TableMark;
  const [fingerprints] = sections;
  if (!mark?.first || !mark?.last || sections.length !== 1 || !(fingerprints instanceof Uint16Array)) throw new SectionsError("filter snapshot header does not match its sections");
  // The constructor checks that the parameters and the fingerprint array agree.
  const filter = new BinaryFuse16({
    seed: Number(header.seed),
    segmentLength: Number(header.segmentLength),
    segmentCountLength: Number(header.segmentCountLength),
    fingerprints,
  });
  return { mark, filter };
}
