// Every medium's Content-Code from a file: images against the ISCC reference's results (Pillow, see
// test/fixtures/README.md), audio and video through the real fpcalc and ffmpeg, documents from files made here.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync, strToU8 } from "fflate";
import { describe, expect, it } from "vitest";
import { compareUnits, genDataCodeV0, genInstanceCodeV0, genTextCodeV0, textClean } from "../../src/iscc/index.js";
import { isccOfFile } from "../../src/media/file-iscc.js";
import { readMp7Signature } from "../../src/media/mp7-signature.js";
import { FingerprintPool } from "../../src/scan/worker-pool.js";
import { haveTools } from "../support/system-tool.js";

const fixtures = new URL("../fixtures/media/", import.meta.url).pathname;
const expected = JSON.parse(readFileSync(join(fixtures, "expected-image-codes.json"), "utf8")) as Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), "media-pipelines-"));
const media = haveTools("audio/video Content-Codes", { command: "ffmpeg", apt: "ffmpeg" }, { command: "fpcalc", apt: "libchromaprint-tools" });

const distance = (a: string, b: string) => compareUnits(a, b).distance;
/** Two synthetic melodies (sine tones stepping through a scale): Chromaprint needs tonal change to tell sounds apart. */
const MELODY_A = "aevalsrc='0.4*sin(2*PI*t*220*pow(2,mod(floor(t*4)*5,12)/12))+0.2*sin(2*PI*t*110*pow(2,mod(floor(t*2)*7,12)/12))':d=6:s=22050";
const MELODY_B = "aevalsrc='0.4*sin(2*PI*t*247*pow(2,mod(floor(t*3)*7,12)/12))+0.2*sin(2*PI*t*165*pow(2,mod(floor(t*5)*3,12)/12))':d=6:s=22050";

function ffmpeg(...args: string[]) {
  execFileSync("ffmpeg", ["-nostdin", "-v", "error", "-y", ...args]);
}

describe("images: the reference's Image-Code for every format", () => {
  for (const [file, code] of Object.entries(expected)) {
    it(`${file} → ${code}`, async () => {
      const r = await isccOfFile(join(fixtures, file));
      expect(r.kind).toBe("image");
      expect(r.notComputed).toBeUndefined();
      expect(r.units.content).toBe(code);
    });
  }

  it("a corrupt image still gets Data- and Instance-Code, and says why it has no Image-Code", async () => {
    const bytes = readFileSync(join(fixtures, "a420.jpg")).subarray(0, 600);
    const file = join(dir, "cut.jpg");
    writeFileSync(file, bytes);
    const r = await isccOfFile(file);
    expect(r.units.content).toBeUndefined();
    expect(r.units.data).toBe(genDataCodeV0(bytes).iscc);
    expect(r.units.instance).toBe(genInstanceCodeV0(bytes).iscc);
    expect(r.notComputed).toMatchObject({ unit: "Content-Code Image" });
    expect(r.notComputed!.reason).toMatch(/cannot decode the image/);
  });
});

describe("documents: plain text, Markdown, HTML, PDF, EPUB", () => {
  const words = "The quick brown fox jumps over the lazy dog near the riverbank at dawn";
  const textCode = genTextCodeV0(textClean(words)).iscc;

  it("HTML: the visible body text only (no title, script or style), entities decoded", async () => {
    const file = join(dir, "page.html");
    writeFileSync(file, `<!doctype html><html><head><title>Other words</title><style>p{color:red}</style></head>
      <body><p>The quick brown fox</p><script>var hidden = "words";</script><div>jumps over the lazy dog</div>
      <p>near the riverbank&nbsp;at dawn</p></body></html>`);
    const r = await isccOfFile(file);
    expect(r.mediatype).toBe("text/html");
    expect(r.units.content).toBe(textCode);
  });

  it("Markdown is hashed as the text it is (markup is punctuation, which the Text-Code ignores)", async () => {
    const file = join(dir, "note.md");
    writeFileSync(file, "# The quick brown fox\n\n*jumps* over the **lazy dog** near the riverbank at dawn\n");
    const r = await isccOfFile(file);
    expect(r.mediatype).toBe("text/markdown");
    expect(r.units.content).toBe(genTextCodeV0(textClean("# The quick brown fox\n\n*jumps* over the **lazy dog** near the riverbank at dawn\n")).iscc);
    expect(r.units.content).toBe(textCode);
  });

  it("EPUB: the spine's documents in reading order", async () => {
    const file = join(dir, "book.epub");
    const xhtml = (body: string) => `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body>${body}</body></html>`;
    writeFileSync(
      file,
      zipSync({
        mimetype: [strToU8("application/epub+zip"), { level: 0 }],
        "META-INF/container.xml": strToU8(`<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`),
        "OEBPS/content.opf": strToU8(`<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><manifest>
          <item id="b" href="text/two.xhtml" media-type="application/xhtml+xml"/><item id="a" href="text/one.xhtml" media-type="application/xhtml+xml"/>
          </manifest><spine><itemref idref="a"/><itemref idref="b"/></spine></package>`),
        "OEBPS/text/one.xhtml": strToU8(xhtml("<p>The quick brown fox jumps</p>")),
        "OEBPS/text/two.xhtml": strToU8(xhtml("<p>over the lazy dog near the riverbank at dawn</p>")),
      }),
    );
    const r = await isccOfFile(file);
    expect(r.mediatype).toBe("application/epub+zip");
    expect(r.units.content).toBe(textCode);
  });

  it("PDF: PDFium's text of every page", async () => {
    const file = join(dir, "doc.pdf");
    writeFileSync(file, minimalPdf(["The quick brown fox jumps over", "the lazy dog near the riverbank at dawn"]));
    const r = await isccOfFile(file);
    expect(r.mediatype).toBe("application/pdf");
    expect(r.notComputed).toBeUndefined();
    expect(r.units.content).toBe(textCode);
  });
});

describe.skipIf(!media)("audio and video through fpcalc and ffmpeg", () => {
  it("audio: an MP3 and an Ogg Vorbis transcode of one WAV get near-identical Audio-Codes; another sound does not", async () => {
    const wav = join(dir, "tone.wav");
    ffmpeg("-f", "lavfi", "-i", MELODY_A, wav);
    ffmpeg("-i", wav, "-b:a", "64k", join(dir, "tone.mp3"));
    ffmpeg("-i", wav, "-c:a", "libvorbis", join(dir, "tone.ogg"));
    ffmpeg("-f", "lavfi", "-i", MELODY_B, join(dir, "other.wav"));
    const [a, b, c, other] = await Promise.all(["tone.wav", "tone.mp3", "tone.ogg", "other.wav"].map((f) => isccOfFile(join(dir, f))));
    for (const r of [a, b, c, other]) {
      expect(r!.kind).toBe("audio");
      expect(r!.notComputed).toBeUndefined();
      expect(r!.units.content).toMatch(/^ISCC:EI/);
    }
    expect(distance(a!.units.content!, b!.units.content!)).toBeLessThanOrEqual(4);
    expect(distance(a!.units.content!, c!.units.content!)).toBeLessThanOrEqual(4);
    expect(distance(a!.units.content!, other!.units.content!)).toBeGreaterThan(12);
  }, 30_000);

  it("video: the binary signature reads as ffmpeg's own XML rendering of it", () => {
    const mp4 = join(dir, "clip.mp4");
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10:duration=2", "-pix_fmt", "yuv420p", mp4);
    const bin = join(dir, "sig.bin");
    const xml = join(dir, "sig.xml");
    ffmpeg("-i", mp4, "-vf", `fps=fps=5,signature=format=binary:filename=${bin}`, "-f", "null", "-");
    ffmpeg("-i", mp4, "-vf", `fps=fps=5,signature=format=xml:filename=${xml}`, "-f", "null", "-");
    const frames = readMp7Signature(readFileSync(bin));
    const fromXml = [...readFileSync(xml, "utf8").matchAll(/<FrameSignature>([^<]*)<\/FrameSignature>/g)].map((m) => m[1]!.trim().split(/\s+/).map(Number));
    const confidences = [...readFileSync(xml, "utf8").matchAll(/<FrameConfidence>(\d+)<\/FrameConfidence>/g)].map((m) => Number(m[1]));
    expect(frames.length).toBe(10);
    expect(frames.map((f) => Array.from(f.vector))).toEqual(fromXml);
    expect(frames.map((f) => f.confidence)).toEqual(confidences);
  }, 30_000);

  it("video: a resized WebM transcode of an MP4 gets a near-identical Video-Code; other footage does not", async () => {
    const mp4 = join(dir, "scene.mp4");
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=128x96:rate=15:duration=2", "-pix_fmt", "yuv420p", mp4);
    ffmpeg("-i", mp4, "-vf", "scale=96:72", "-c:v", "libvpx", "-b:v", "300k", join(dir, "scene.webm"));
    ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=128x96:rate=15", "-t", "2", "-pix_fmt", "yuv420p", join(dir, "other.mp4"));
    const [a, b, other] = await Promise.all(["scene.mp4", "scene.webm", "other.mp4"].map((f) => isccOfFile(join(dir, f))));
    for (const r of [a, b, other]) {
      expect(r!.kind).toBe("video");
      expect(r!.notComputed).toBeUndefined();
      expect(r!.units.content).toMatch(/^ISCC:EM/);
    }
    expect(distance(a!.units.content!, b!.units.content!)).toBeLessThanOrEqual(8);
    expect(distance(a!.units.content!, other!.units.content!)).toBeGreaterThan(12);
  }, 30_000);

  it("a missing tool: Data- and Instance-Code, and which unit is missing and how to install the tool", async () => {
    const wav = join(dir, "tone.wav");
    const bytes = readFileSync(wav);
    const saved = process.env.OPTOUT_FPCALC;
    process.env.OPTOUT_FPCALC = join(dir, "no-such-fpcalc");
    try {
      const r = await isccOfFile(wav);
      expect(r.units.content).toBeUndefined();
      expect(r.units.data).toBe(genDataCodeV0(bytes).iscc);
      expect(r.units.instance).toBe(genInstanceCodeV0(bytes).iscc);
      expect(r.notComputed).toEqual({
        unit: "Content-Code Audio",
        reason: "fpcalc is not installed",
        install: expect.stringContaining("apt-get install libchromaprint-tools"),
      });
    } finally {
      if (saved === undefined) delete process.env.OPTOUT_FPCALC;
      else process.env.OPTOUT_FPCALC = saved;
    }
  });
});

describe("the scan's worker threads", () => {
  // They run the bundled script (src/scan/worker-script.ts), not these sources: the same results, decoders included.
  it("compute what isccOfFile computes here, for the documents made above and the image fixtures", async () => {
    // (audio and video through the threads: test/e2e/optout-scan.test.ts; not the cut JPEG, whose libvips message
    // depends on which thread reads its error buffer)
    const files = [...readdirSync(dir).map((f) => join(dir, f)), ...Object.keys(expected).map((f) => join(fixtures, f))].filter(
      (f) => statSync(f).isFile() && !/\.(wav|mp3|ogg|mp4|webm|bin)$|cut\.jpg$/i.test(f),
    );
    const pool = new FingerprintPool(2);
    try {
      const inPool = await Promise.all(files.map((f) => pool.fingerprint(f)));
      expect(inPool).toEqual(await Promise.all(files.map((f) => isccOfFile(f))));
      expect(inPool.map((r) => r.mediatype)).toEqual(expect.arrayContaining(["application/pdf", "application/epub+zip", "text/html"]));
    } finally {
      await pool.close();
    }
  }, 60_000);
});

/** A valid one-font PDF with one page per line of text (Helvetica, WinAnsi), its xref offsets computed. */
function minimalPdf(pages: string[]): Uint8Array {
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 4 + i * 2);
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`;
  objects[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
  pages.forEach((line, i) => {
    const stream = `BT /F1 14 Tf 40 700 Td (${line}) Tj ET`;
    objects[pageIds[i]!] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`;
    objects[pageIds[i]! + 1] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  });
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = out.length;
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}
