/**
 * Preferences in an XMP packet (RDF/XML):
 * - IPTC Photo Metadata 2023.1 "Data Mining": `plus:DataMining` (namespace
 *   http://ns.useplus.org/ldf/xmp/1.0/), whose value is a term of the PLUS "Data Mining"
 *   vocabulary, http://ns.useplus.org/ldf/vocab/DMI-…;
 * - TDMRep for XMP (TDMRep §"TDM Metadata in PDF files"): `tdm:reservation` and `tdm:policy`
 *   (namespace http://www.w3.org/ns/tdmrep/).
 * A property may be written as an attribute of rdf:Description, as an element with text, or as an
 * element with rdf:resource; all three are read.
 *
 * PLUS terms into the vocabulary (the terms' own labels):
 *   DMI-UNSPECIFIED "no prohibition defined"          → nothing stated
 *   DMI-ALLOWED                                         → every category y
 *   DMI-PROHIBITED-AIMLTRAINING "for AI/ML training"    → train-ai=n (all training includes generative)
 *   DMI-PROHIBITED-GENAIMLTRAINING                      → train-ai=n
 *   DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING           → train-ai=n, draft-ai-use=n, search=y
 *   DMI-PROHIBITED, and -SEECONSTRAINT, -SEEEMBEDDEDRIGHTSEXPR, -SEELINKEDRIGHTSEXPR (prohibited,
 *   with terms elsewhere that this module does not read) → every category n
 */
import { CATEGORIES, unknownPreferences, type ResolvedPreferences } from "../domain/preferences";
import { attribute, childElements, escapeXml, parseXml, textContent, XmlError, type XmlElement } from "./xml";
import { reservationPreferences, readReservation } from "./tdmrep";

export const PLUS_NS = "http://ns.useplus.org/ldf/xmp/1.0/";
export const PLUS_VOCAB = "http://ns.useplus.org/ldf/vocab/";
export const TDMREP_XMP_NS = "http://www.w3.org/ns/tdmrep/";
const RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

export const DMI_TERMS = [
  "DMI-UNSPECIFIED",
  "DMI-ALLOWED",
  "DMI-PROHIBITED-AIMLTRAINING",
  "DMI-PROHIBITED-GENAIMLTRAINING",
  "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING",
  "DMI-PROHIBITED",
  "DMI-PROHIBITED-SEECONSTRAINT",
  "DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR",
  "DMI-PROHIBITED-SEELINKEDRIGHTSEXPR",
] as const;
export type DmiTerm = (typeof DMI_TERMS)[number];

export interface XmpPreferences {
  /** plus:DataMining as written, and its term when it is one of the vocabulary's. */
  dataMining?: { value: string; term: DmiTerm | null };
  tdm?: { reservation: 1 | 0 | null; raw: string; policy?: string };
}

export class XmpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "XmpError";
  }
}

function property(descriptions: XmlElement[], ns: string, local: string): string | undefined {
  for (const d of descriptions) {
    const attr = attribute(d, local, ns);
    if (attr !== undefined) return attr.trim();
    const el = childElements(d).find((c) => c.ns === ns && c.local === local);
    if (el) return (attribute(el, "resource", RDF_NS) ?? textContent(el)).trim();
  }
  return undefined;
}

/** The XML inside an XMP packet: from x:xmpmeta (or rdf:RDF) to its end tag, without the xpacket wrapper or padding. */
function xmlOfPacket(packet: string): string {
  for (const [open, close] of [["<x:xmpmeta", "</x:xmpmeta>"], ["<rdf:RDF", "</rdf:RDF>"]] as const) {
    const start = packet.indexOf(open);
    const end = packet.lastIndexOf(close);
    if (start >= 0 && end > start) return packet.slice(start, end + close.length);
  }
  return packet;
}

export function readXmp(packet: string): XmpPreferences {
  let root: XmlElement;
  try {
    root = parseXml(xmlOfPacket(packet));
  } catch (e) {
    if (e instanceof XmlError) throw new XmpError(`the XMP packet is not well-formed XML: ${e.message}`);
    throw e;
  }
  const descriptions: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.ns === RDF_NS && e.local === "Description") descriptions.push(e);
    childElements(e).forEach(walk);
  };
  walk(root);
  const out: XmpPreferences = {};
  const dmi = property(descriptions, PLUS_NS, "DataMining");
  if (dmi !== undefined) {
    const bare = dmi.startsWith(PLUS_VOCAB) ? dmi.slice(PLUS_VOCAB.length) : dmi;
    out.dataMining = { value: dmi, term: (DMI_TERMS as readonly string[]).includes(bare) ? (bare as DmiTerm) : null };
  }
  const reservation = property(descriptions, TDMREP_XMP_NS, "reservation");
  if (reservation !== undefined) {
    const policy = property(descriptions, TDMREP_XMP_NS, "policy");
    out.tdm = { reservation: readReservation(reservation), raw: reservation, ...(policy !== undefined ? { policy } : {}) };
  }
  return out;
}

export function dataMiningPreferences(term: DmiTerm | null): ResolvedPreferences {
  const p = unknownPreferences();
  const all = (v: "y" | "n") => CATEGORIES.forEach((c) => (p[c] = v));
  switch (term) {
    case null:
    case "DMI-UNSPECIFIED":
      break;
    case "DMI-ALLOWED":
      all("y");
      break;
    case "DMI-PROHIBITED-AIMLTRAINING":
    case "DMI-PROHIBITED-GENAIMLTRAINING":
      p["train-ai"] = "n";
      break;
    case "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING":
      all("n");
      p.search = "y";
      break;
    default:
      all("n");
  }
  return p;
}

export function xmpPreferences(x: XmpPreferences): { dataMining?: ResolvedPreferences; tdm?: ResolvedPreferences } {
  return {
    ...(x.dataMining ? { dataMining: dataMiningPreferences(x.dataMining.term) } : {}),
    ...(x.tdm ? { tdm: reservationPreferences(x.tdm.reservation) } : {}),
  };
}

/** The PLUS term that says exactly `preferences`, or null when none does. */
export function dataMiningTermFor(p: ResolvedPreferences): DmiTerm | null {
  const key = CATEGORIES.map((c) => p[c]).join(",");
  const exact: Record<string, DmiTerm> = {
    "unknown,unknown,unknown": "DMI-UNSPECIFIED",
    "y,y,y": "DMI-ALLOWED",
    "n,unknown,unknown": "DMI-PROHIBITED-GENAIMLTRAINING",
    "n,n,y": "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING",
    "n,n,n": "DMI-PROHIBITED",
  };
  return exact[key] ?? null;
}

/** An XMP packet with these properties; readXmp reads them back. */
export function writeXmp(x: XmpPreferences): string {
  const props: string[] = [];
  if (x.dataMining) props.push(`   <plus:DataMining rdf:resource="${escapeXml(x.dataMining.value)}"/>`);
  if (x.tdm) {
    props.push(`   <tdm:reservation>${escapeXml(x.tdm.raw)}</tdm:reservation>`);
    if (x.tdm.policy !== undefined) props.push(`   <tdm:policy>${escapeXml(x.tdm.policy)}</tdm:policy>`);
  }
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ` <rdf:RDF xmlns:rdf="${RDF_NS}">`,
    `  <rdf:Description rdf:about="" xmlns:plus="${PLUS_NS}" xmlns:tdm="${TDMREP_XMP_NS}">`,
    ...props,
    "  </rdf:Description>",
    " </rdf:RDF>",
    "</x:xmpmeta>",
    '<?xpacket end="w"?>',
  ].join("\n");
}
