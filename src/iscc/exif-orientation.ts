/**
 * EXIF Orientation (tag 0x0112 in IFD0) from a TIFF-structured EXIF block, as found in a JPEG APP1
 * "Exif\0\0" segment or a PNG eXIf chunk. Returns 1 (as stored) when absent or unreadable, since a
 * broken EXIF block must not stop code generation.
 */
export function exifOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 1;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const u16 = (o: number) => view.getUint16(o, little);
  if (u16(2) !== 42) return 1;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (u16(entry) === 0x0112) {
      const v = u16(entry + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

/** The TIFF block of a JPEG's first APP1 Exif segment, if any. */
export function jpegExif(jpeg: Uint8Array): Uint8Array | undefined {
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1]!;
    if (marker === 0xda || marker === 0xd9) return undefined; // image data starts: no more metadata
    const len = (jpeg[i + 2]! << 8) | jpeg[i + 3]!;
    if (marker === 0xe1 && len >= 8) {
      const seg = jpeg.subarray(i + 4, i + 2 + len);
      if (seg[0] === 0x45 && seg[1] === 0x78 && seg[2] === 0x69 && seg[3] === 0x66 && seg[4] === 0 && seg[5] === 0) {
        return seg.subarray(6);
      }
    }
    i += 2 + len;
  }
  return undefined;
}

/** The TIFF block of a PNG's eXIf chunk, if any. */
export function pngExif(png: Uint8Array): Uint8Array | undefined {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let i = 8;
  while (i + 8 <= png.length) {
    const len = view.getUint32(i);
    const type = String.fromCharCode(png[i + 4]!, png[i + 5]!, png[i + 6]!, png[i + 7]!);
    if (type === "eXIf") return png.subarray(i + 8, i + 8 + len);
    if (type === "IDAT" || type === "IEND") return undefined;
    i += 12 + len;
  }
  return undefined;
}
