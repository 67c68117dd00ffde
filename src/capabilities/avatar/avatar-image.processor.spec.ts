import sharp from 'sharp';
import { DomainError } from '../../platform/errors/domain-error.js';
import { AVATAR_ERRORS } from './errors.js';
import { AvatarImageProcessor } from './avatar-image.processor.js';

describe('AvatarImageProcessor', () => {
  const processor = new AvatarImageProcessor({ imageProcessingConcurrency: 2, imageQueueLimit: 20 });

  /** rendition → [format, width, height] of what was rendered. */
  async function sizesOf(input: Buffer): Promise<Record<string, unknown[]>> {
    const rendered = await processor.render(input, 'file');
    const entries = await Promise.all(
      rendered.map(async ({ rendition, body }) => {
        const { format, width, height } = await sharp(body).metadata();
        return [rendition, [format, width, height]];
      }),
    );
    return Object.fromEntries(entries);
  }

  it.each([
    ['a greyscale PNG', () => sharp({ create: { width: 600, height: 600, channels: 3, background: '#888' } }).greyscale().png().toBuffer(), 600],
    ['a 16-bit PNG', () => sharp({ create: { width: 700, height: 900, channels: 4, background: '#123456' } }).png().toColourspace('rgb16').toBuffer(), 700],
    ['a CMYK JPEG', () => sharp({ create: { width: 1200, height: 1300, channels: 3, background: '#c04020' } }).toColourspace('cmyk').jpeg().toBuffer(), 1024],
    ['a 1×1 GIF', () => sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).gif().toBuffer(), 512],
    ['a 4000×10 strip', () => sharp({ create: { width: 4000, height: 10, channels: 3, background: '#0a0' } }).png().toBuffer(), 512],
  ])('renders %s into 512, high and 160 squares', async (_name, make, high) => {
    const sizes = await sizesOf(await make());
    expect(sizes).toEqual({ main: ['webp', 512, 512], high: ['webp', high, high], thumbnail: ['webp', 160, 160] });
  });

  it('names the field in its messages', async () => {
    const error = await processor.render(Buffer.from('GIF89a but not really'), 'profile_picture').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).fields).toEqual([
      { field: 'profile_picture', message: 'The profile picture must be an image.', rule: 'image' },
    ]);
  });

  it('refuses a TIFF, which sharp could decode but the API does not accept (docs/api/me.md#avatar)', async () => {
    const tiff = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#fff' } }).tiff().toBuffer();
    await expect(processor.render(tiff, 'file')).rejects.toMatchObject({ fields: [{ field: 'file', rule: 'image' }] });
  });

  it('admits IMAGE_PROCESSING_CONCURRENCY + IMAGE_QUEUE_LIMIT uploads, then 503 with Retry-After until one leaves', () => {
    const line = new AvatarImageProcessor({ imageProcessingConcurrency: 2, imageQueueLimit: 1 });
    const places = [line.admit(), line.admit(), line.admit()];
    let refused: unknown;
    try {
      line.admit();
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: AVATAR_ERRORS.IMAGE_LINE_FULL.code, status: 503 });
    expect((refused as DomainError).retryAfter).toBeGreaterThan(0);
    // Leaving twice frees one place, not two.
    places[0]!();
    places[0]!();
    const again = line.admit();
    expect(() => line.admit()).toThrow(DomainError);
    again();
  });
});
