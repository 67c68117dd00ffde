import { Injectable } from '@nestjs/common';
import pLimit, { type LimitFunction } from 'p-limit';
import type Sharp from 'sharp';
import type { OutputInfo, SharpOptions } from 'sharp';
import { DomainError } from '../../platform/errors/domain-error.js';
import { AVATAR_ERRORS } from './errors.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { AVATAR_FORMAT, type AvatarRendition } from '../../core/users/avatar-urls.js';

/** Inputs accepted, judged from the bytes (never the name or the part's Content-Type): file-type's MIME → sharp's format. */
const ACCEPTED_TYPES: Record<string, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/** docs/api/me.md#avatar: at most 40 megapixels; larger inputs (decompression bombs) are refused from the header alone. */
export const MAX_INPUT_PIXELS = 40_000_000;

/** An upload takes 50 to 130 ms of CPU (README Performance): a full line drains within seconds. */
const LINE_FULL_RETRY_SECONDS = 5;

export const MAIN_SIZE = 512;
export const HIGH_MAX_SIZE = 1024;
export const THUMBNAIL_SIZE = 160;

export interface RenderedAvatar {
  rendition: AvatarRendition;
  size: number;
  body: Buffer;
}

interface RawImage {
  data: Buffer;
  info: OutputInfo;
}

/** Laravel names a field by its words: `profile_picture` → "profile picture". */
const label = (field: string): string => field.replace(/_/g, ' ');

interface ImageLibraries {
  sharp: typeof Sharp;
  fileTypeFromBuffer: typeof import('file-type').fileTypeFromBuffer;
}

let imageLibraries: Promise<ImageLibraries> | undefined;

/** Loaded on the first upload rather than at start-up: sharp (libvips) is the largest share of resident memory. */
function loadImageLibraries(): Promise<ImageLibraries> {
  imageLibraries ??= Promise.all([import('sharp'), import('file-type')]).then(([sharp, fileType]) => ({
    sharp: sharp.default,
    fileTypeFromBuffer: fileType.fileTypeFromBuffer,
  }));
  return imageLibraries;
}

/**
 * Turns uploaded bytes into the three square renditions. sharp does the decoding and encoding on libuv's thread
 * pool, so the event loop stays free for other requests while an upload is processed.
 *
 * At most IMAGE_PROCESSING_CONCURRENCY images are in the pipeline at once; the rest wait in line with only their
 * uploaded bytes. Unbounded, every upload in flight held its decoded pixels while waiting for a thread, and 50
 * concurrent 2-megapixel uploads took the process to about 490 MB (`npm run bench`). The work is CPU-bound, so a
 * line costs no throughput.
 */
@Injectable()
export class AvatarImageProcessor {
  private readonly inLine: LimitFunction;
  /** Uploads processed or waiting at most: beyond them, the line is full (IMAGE_QUEUE_LIMIT). */
  private readonly capacity: number;
  private admitted = 0;

  constructor(@InjectConfig() config: Pick<AppConfig, 'imageProcessingConcurrency' | 'imageQueueLimit'>) {
    this.inLine = pLimit(config.imageProcessingConcurrency);
    this.capacity = config.imageProcessingConcurrency + config.imageQueueLimit;
  }

  /**
   * Takes a place in the line for one upload before its bytes are read (each holds up to 5 MB while it waits);
   * 503 with Retry-After when the line is full. Call the returned function once the request is done.
   */
  admit(): () => void {
    if (this.admitted >= this.capacity) {
      throw new DomainError(AVATAR_ERRORS.IMAGE_LINE_FULL, { retryAfter: LINE_FULL_RETRY_SECONDS });
    }
    this.admitted++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.admitted--;
    };
  }

  /** Validates the bytes as a JPEG, PNG, WebP or GIF of at most 40 megapixels and renders main, high and thumbnail. */
  render(bytes: Buffer, field: string): Promise<RenderedAvatar[]> {
    return this.inLine(() => this.renderNow(bytes, field));
  }

  private async renderNow(bytes: Buffer, field: string): Promise<RenderedAvatar[]> {
    const notAnImage = (): DomainError => DomainError.invalid(field, `The ${label(field)} must be an image.`, 'image');
    if (bytes.length === 0) throw notAnImage();
    const { sharp, fileTypeFromBuffer } = await loadImageLibraries();
    const detected = await fileTypeFromBuffer(bytes);
    const format = detected ? ACCEPTED_TYPES[detected.mime] : undefined;
    if (!format) throw notAnImage();

    // The header is read without the pixel limit so that an over-large image gets its own message; nothing is decoded.
    let width: number;
    let height: number;
    try {
      const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
      // sharp must see the same format as file-type: a file that is one thing to one and another to the other is refused.
      if (metadata.format !== format) throw notAnImage();
      width = metadata.width;
      height = metadata.pageHeight ?? metadata.height;
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw notAnImage();
    }
    if (width * height > MAX_INPUT_PIXELS) {
      throw DomainError.invalid(field, `The ${label(field)} may not be larger than 40 megapixels.`, 'dimensions');
    }

    const side = Math.min(width, height);
    // The high rendition is never upscaled beyond what the source holds, but is never smaller than the main one.
    const highSize = Math.min(HIGH_MAX_SIZE, Math.max(MAIN_SIZE, side));
    const options: SharpOptions = {
      limitInputPixels: MAX_INPUT_PIXELS,
      // Truncated or corrupt data fails the decode instead of being padded with grey.
      failOn: 'error',
      // The first frame of an animated GIF or WebP.
      pages: 1,
    };
    // Decoded once: oriented by EXIF, converted to sRGB and cropped to the high rendition's square; the other two
    // are scaled from it. Raw pixels carry no metadata, so EXIF (GPS included), XMP and ICC never reach the output.
    let square: RawImage;
    try {
      square = await sharp(bytes, options)
        .rotate()
        .resize(highSize, highSize, { fit: 'cover', position: 'centre' })
        .raw()
        .toBuffer({ resolveWithObject: true });
    } catch {
      throw notAnImage();
    }
    const sizes: Record<AvatarRendition, number> = { main: MAIN_SIZE, high: highSize, thumbnail: THUMBNAIL_SIZE };
    return Promise.all(
      (Object.keys(sizes) as AvatarRendition[]).map(async (rendition) => ({
        rendition,
        size: sizes[rendition],
        body: await this.encode(sharp, square, sizes[rendition]),
      })),
    );
  }

  private encode(sharp: typeof Sharp, { data, info }: RawImage, size: number): Promise<Buffer> {
    return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .resize(size, size)
      .toFormat(AVATAR_FORMAT.extension, { quality: 82, effort: 4 })
      .toBuffer();
  }
}
