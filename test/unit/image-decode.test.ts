// The decoders image-decode.ts runs on the calling thread (pngjs, mozjpeg's WebAssembly build) against sharp's
// pixels, which the reference-equality tests (media-pipelines.test.ts) tie to Pillow's: every PNG and JPEG layout
// they take must decode to the same bytes, and every file they leave must still reach sharp.
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodeHere, decodeImage, decodeWithSharp, JPEG_HERE_MAX_PIXELS, PNG_HERE_MAX_PIXELS } from "../../src/media/image-decode.js";
import { jpegHeader, pngHeader } from "../../src/media/image-header.js";
import { xorshiftBytes } from "../support/seeded-random.js";

const W = 37;
const H = 23;
/** Noise with smooth ramps, so that JPEG's chroma subsampling and upsampling both matter. */
function pixels(channels: number, seed: number): Buffer {
  const noise = xorshiftBytes(W * H * channels, seed);
  const out = Buffer.alloc(W * H * channels);
  for (let i = 0; i < W * H; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = (((i % W) * 7 + Math.floor(i / W) * 3 * (c + 1)) & 0xff) ^ (noise[i * channels + c]! & 0x3f);
  return out;
}
const raw = (channels: 1 | 2 | 3 | 4, seed = 1) => sharp(pixels(channels, seed), { raw: { width: W, height: H, channels } });

/** Decoded here, to sharp's pixels; or (`here` false) left to sharp. */
async function same(bytes: Buffer, mediatype: string, here = true) {
  const decoded = await decodeHere(bytes, mediatype);
  if (!here) return expect(decoded).toBeNull();
  expect(decoded).not.toBeNull();
  const reference = await decodeWithSharp(bytes);
  expect(decoded!.orientation).toBe(reference.orientation);
  expect([decoded!.image.width, decoded!.image.height]).toEqual([reference.image.width, reference.image.height]);
  expect(Buffer.from(decoded!.image.data).equals(Buffer.from(reference.image.data))).toBe(true);
}

describe("PNG decoded here gives sharp's pixels", () => {
  const variants: [string, () => Promise<Buffer>, boolean?][] = [
    ["RGB", () => raw(3).png().toBuffer()],
    ["RGBA", () => raw(4).png().toBuffer()],
    ["grey", () => raw(1).png().toBuffer()],
    ["grey + alpha", () => raw(2).png().toBuffer()],
    ["interlaced (Adam7)", () => raw(3).png({ progressive: true }).toBuffer()],
    ["palette, 8 bits", () => raw(3).png({ palette: true, colours: 200, dither: 0 }).toBuffer()],
    ["palette, 4 bits", () => raw(3).png({ palette: true, colours: 16, dither: 0 }).toBuffer()],
    ["palette, 1 bit", () => raw(3).png({ palette: true, colours: 2, dither: 0 }).toBuffer()],
    ["palette with transparency (tRNS)", () => raw(4).png({ palette: true, colours: 64, dither: 0 }).toBuffer()],
    ["16 bits (left to sharp)", () => raw(3).toColourspace("rgb16").png().toBuffer(), false],
    ["with EXIF orientation 6 (left to sharp)", () => raw(3).withMetadata({ orientation: 6 }).png().toBuffer(), false],
    ["larger than PNG_HERE_MAX_PIXELS (left to sharp)", () => sharp({ create: { width: 129, height: 128, channels: 3, background: "#123456" } }).png().toBuffer(), false],
  ];
  for (const [name, make, here] of variants) it(name, async () => same(await make(), "image/png", here));

  it("reads the header: size, bit depth, EXIF; null when cut short", async () => {
    const png = await raw(3).png().toBuffer();
    expect(pngHeader(png)).toEqual({ width: W, height: H, bitDepth: 8, colorType: 2, transparency: false, exif: false });
    expect(pngHeader(await raw(4).png({ palette: true, colours: 16 }).toBuffer())).toMatchObject({ bitDepth: 4, colorType: 3, transparency: true });
    expect(pngHeader(await raw(3).withMetadata({ orientation: 6 }).png().toBuffer())?.exif).toBe(true);
    expect(pngHeader(await raw(3).toColourspace("rgb16").png().toBuffer())?.bitDepth).toBe(16);
    expect(pngHeader(png.subarray(0, png.length - 5))).toBeNull();
  });
});

describe("JPEG decoded here gives sharp's pixels", () => {
  const variants: [string, () => Promise<Buffer>, boolean?][] = [
    ["4:2:0", () => raw(3).jpeg({ quality: 85 }).toBuffer()],
    ["4:4:4", () => raw(3).jpeg({ quality: 90, chromaSubsampling: "4:4:4" }).toBuffer()],
    ["progressive", () => raw(3).jpeg({ progressive: true }).toBuffer()],
    ["greyscale", () => raw(1).jpeg().toBuffer()],
    ["CMYK (left to sharp)", () => raw(3).toColourspace("cmyk").jpeg().toBuffer(), false],
    ["with EXIF orientation 6 (left to sharp)", () => raw(3).withMetadata({ orientation: 6 }).jpeg().toBuffer(), false],
    ["larger than JPEG_HERE_MAX_PIXELS (left to sharp)", () => sharp({ create: { width: 1025, height: 1024, channels: 3, background: "#123456" } }).jpeg().toBuffer(), false],
  ];
  for (const [name, make, here] of variants) it(name, async () => same(await make(), "image/jpeg", here));

  it("reads the header: size, precision, components, frame type, EXIF", async () => {
    expect(jpegHeader(await raw(3).jpeg().toBuffer())).toEqual({ width: W, height: H, precision: 8, components: 3, sof: 0xc0, exif: false });
    expect(jpegHeader(await raw(3).jpeg({ progressive: true }).toBuffer())?.sof).toBe(0xc2);
    expect(jpegHeader(await raw(3).toColourspace("cmyk").jpeg().toBuffer())?.components).toBe(4);
    expect(jpegHeader(await raw(3).withMetadata({ orientation: 6 }).jpeg().toBuffer())?.exif).toBe(true);
  });

  it("a JPEG cut inside its scan is left to sharp, which refuses it as before (libjpeg would fill it in)", async () => {
    const jpg = await raw(3).jpeg().toBuffer();
    const cut = jpg.subarray(0, jpg.length - 40);
    expect(jpegHeader(cut)).not.toBeNull(); // the header is whole
    expect(await decodeHere(cut, "image/jpeg")).toBeNull();
    await expect(decodeImage(cut, "image/jpeg")).rejects.toThrow();
  });

  it("a JPEG the WebAssembly decoder fails on goes to sharp, and the next file is decoded here again", async () => {
    const jpg = await raw(3).jpeg().toBuffer();
    const bad = Buffer.from(jpg);
    const dht = bad.indexOf(Buffer.from([0xff, 0xc4]));
    bad.fill(0xff, dht + 5, dht + 21); // a Huffman table claiming 16 × 255 codes: libjpeg's error_exit
    expect(await decodeHere(bad, "image/jpeg")).toBeNull();
    await expect(decodeImage(bad, "image/jpeg")).rejects.toThrow();
    await same(jpg, "image/jpeg");
  });
});

it("the size limits hold at their bounds", async () => {
  const at = (w: number, h: number, format: "png" | "jpeg") => sharp({ create: { width: w, height: h, channels: 3, background: "#654321" } })[format]().toBuffer();
  expect(await decodeHere(await at(PNG_HERE_MAX_PIXELS / 64, 64, "png"), "image/png")).not.toBeNull();
  expect(await decodeHere(await at(JPEG_HERE_MAX_PIXELS / 1024, 1024, "jpeg"), "image/jpeg")).not.toBeNull();
});
