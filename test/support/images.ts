import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/**
 * Images made in the tests with sharp, so every case says what it holds. Metadata checks read what sharp reports
 * of a file (`sharp(buffer).metadata()`).
 */

/**
 * A JPEG stored sideways: EXIF orientation 6 (display rotated 90° clockwise) and a GPS position. Stored, the left
 * half is red and the right half blue; shown upright, red is on top.
 */
export async function sidewaysJpegWithGps(width = 1600, height = 1200): Promise<Buffer> {
  const half = Math.floor(width / 2);
  const blue = await sharp({ create: { width: width - half, height, channels: 3, background: '#0000ff' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#ff0000' } })
    .composite([{ input: blue, left: half, top: 0 }])
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: 'TestCam', Model: 'T-1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '45/1 15/1 0/1' } })
    .toBuffer();
}

/** True when an EXIF block holds a GPS IFD pointer (tag 0x8825, in either byte order). */
export function exifHasGps(exif: Buffer | undefined): boolean {
  return !!exif && (exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88])));
}

export function pngWithAlpha(width = 300, height = 200): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 128, b: 0, alpha: 0.5 } } }).png().toBuffer();
}

export function webp(width = 800, height = 700): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#336699' } }).webp().toBuffer();
}

/** Three 300×200 frames: red, green, blue. */
export async function animatedGif(): Promise<Buffer> {
  const frames = await Promise.all(
    ['#ff0000', '#00ff00', '#0000ff'].map((colour) =>
      sharp({ create: { width: 300, height: 200, channels: 3, background: colour } }).png().toBuffer(),
    ),
  );
  return sharp(frames, { join: { animated: true } }).gif({ loop: 0, delay: 100 }).toBuffer();
}

/** A photo-like JPEG (noise compresses badly, as photos do) of about `megapixels`. */
export async function noisyJpeg(megapixels: number): Promise<Buffer> {
  const width = Math.round(Math.sqrt(megapixels * 1e6 * (4 / 3)));
  const height = Math.round((megapixels * 1e6) / width);
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = Math.imul(i, 2654435761) >>> 24;
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid all-black 1-bit PNG of `side`×`side` (20000: 400 megapixels) in about 50 KB: a decompression bomb.
 * Written by hand because encoding it through sharp takes some twenty seconds.
 */
export function pngBomb(side = 20000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(side / 8); // filter byte + pixels
  const pixels = deflateSync(Buffer.alloc(rowBytes * side), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', pixels),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export const SVG_WITH_SCRIPT = Buffer.from(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">' +
    '<script>alert(document.cookie)</script><rect width="100" height="100" fill="red"/></svg>',
);

export const HTML_PAGE = Buffer.from('<!doctype html><html><body><script>alert(1)</script><img src=x></body></html>');

export const PDF_DOCUMENT = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
