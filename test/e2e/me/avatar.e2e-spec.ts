import { jest } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import type { QueryRunner } from 'typeorm';
import { ActivityService } from '../../../src/core/activity/activity.service.js';
import { AvatarImageProcessor } from '../../../src/capabilities/avatar/avatar-image.processor.js';
import { AVATAR_STORAGE, type AvatarStorage } from '../../../src/capabilities/avatar/storage/avatar-storage.js';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser, type LoggedInUser } from '../../support/factories.js';
import {
  animatedGif,
  exifHasGps,
  HTML_PAGE,
  noisyJpeg,
  PDF_DOCUMENT,
  pngBomb,
  pngWithAlpha,
  sidewaysJpegWithGps,
  SVG_WITH_SCRIPT,
  webp,
} from '../../support/images.js';

const NOT_AN_IMAGE = { message: 'The given data was invalid.', errors: { file: ['The file must be an image.'] } };
const KEY = /^[0-9a-f]{32}$/;

describe('avatar: POST /api/me/avatar, PUT /api/me/avatar/external, DELETE /api/me/avatar', () => {
  let t: TestApp;
  let storageDir: string;

  beforeAll(async () => {
    storageDir = await mkdtemp(path.join(tmpdir(), 'tessera-avatars-'));
    t = await bootTestApp({ STORAGE_DIR: storageDir, APP_URL: 'http://avatars.test' });
  });
  afterAll(async () => {
    await t?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  /** Every file under STORAGE_DIR, staged ones included, as paths relative to it. */
  async function filesOnDisk(): Promise<string[]> {
    const entries = await readdir(storageDir, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(storageDir, path.join(entry.parentPath, entry.name)))
      .sort();
  }

  async function avatarRow(userId: number): Promise<{ avatar_key: string | null; avatar_url: string | null }> {
    const [row] = await t.db.query(`SELECT avatar_key, avatar_url FROM users WHERE id = $1`, [userId]);
    return row;
  }

  const renditionFiles = (key: string): string[] =>
    [`avatars/${key}.webp`, `avatars/${key}_high.webp`, `avatars/${key}_thumbnail.webp`].sort();

  function upload(user: LoggedInUser, body: Buffer, filename = 'avatar.jpg', contentType = 'image/jpeg') {
    return t.http().post('/api/me/avatar').set(user.auth).attach('file', body, { filename, contentType });
  }

  /** A user who already has an uploaded avatar (to prove refused uploads leave it alone). */
  async function userWithAvatar(): Promise<{ user: LoggedInUser; key: string }> {
    const user = await loggedInUser(t);
    await upload(user, await pngWithAlpha(), 'first.png', 'image/png').expect(200);
    const { avatar_key } = await avatarRow(user.id);
    return { user, key: avatar_key! };
  }

  describe('uploads', () => {
    it.each([
      ['a sideways JPEG with GPS', () => sidewaysJpegWithGps(1600, 1200), 'photo.jpg', 'image/jpeg', 1024],
      ['a PNG with alpha', () => pngWithAlpha(300, 200), 'alpha.png', 'image/png', 512],
      ['a WebP', () => webp(800, 700), 'pic.webp', 'image/webp', 700],
      ['an animated GIF (first frame)', () => animatedGif(), 'anim.gif', 'image/gif', 512],
    ])('turns %s into three square WebP renditions without metadata', async (_name, make, filename, contentType, highSize) => {
      const user = await loggedInUser(t);
      const res = await upload(user, await make(), filename, contentType).expect(200);

      const { avatar_key: key, avatar_url } = await avatarRow(user.id);
      expect(key).toMatch(KEY);
      expect(avatar_url).toBeNull();
      expect(res.body.data.avatar).toBe(`http://avatars.test/storage/avatars/${key}.webp`);
      expect(res.body.data.id).toBe(user.id);

      const files = await filesOnDisk();
      expect(files.filter((file) => file.includes(key!))).toEqual(renditionFiles(key!));
      expect(files.filter((file) => file.startsWith('.tmp/') && file.includes(key!))).toEqual([]);

      const sizes: Record<string, number> = { [`${key}.webp`]: 512, [`${key}_high.webp`]: highSize, [`${key}_thumbnail.webp`]: 160 };
      for (const [name, size] of Object.entries(sizes)) {
        const metadata = await sharp(path.join(storageDir, 'avatars', name)).metadata();
        expect({ name, format: metadata.format, width: metadata.width, height: metadata.height }).toEqual({
          name,
          format: 'webp',
          width: size,
          height: size,
        });
        expect(metadata.exif).toBeUndefined();
        expect(metadata.xmp).toBeUndefined();
        expect(metadata.icc).toBeUndefined();
        expect(metadata.orientation).toBeUndefined();
        expect(metadata.pages ?? 1).toBe(1);
      }

      const [activity] = await t.db.query(
        `SELECT properties FROM activity_logs WHERE user_id = $1 AND event = 'user:avatar.updated' ORDER BY id DESC LIMIT 1`,
        [user.id],
      );
      expect(activity.properties).toEqual({ source: 'upload' });
      const me = await t.http().get('/api/me').set(user.auth).expect(200);
      expect(me.body.data.avatar).toBe(res.body.data.avatar);
    });

    it('had EXIF orientation 6 and GPS in the input, and applies the rotation before cropping', async () => {
      const input = await sidewaysJpegWithGps(1600, 1200);
      const before = await sharp(input).metadata();
      expect(before.orientation).toBe(6);
      expect(exifHasGps(before.exif)).toBe(true);

      const user = await loggedInUser(t);
      await upload(user, input).expect(200);
      const { avatar_key: key } = await avatarRow(user.id);
      const main = sharp(path.join(storageDir, 'avatars', `${key}.webp`));
      const { data, info } = await main.raw().toBuffer({ resolveWithObject: true });
      const pixel = (x: number, y: number): number[] => {
        const at = (y * info.width + x) * info.channels;
        return [data[at], data[at + 1], data[at + 2]];
      };
      // Shown upright the red half is on top and the blue half below (stored, they were left and right).
      const [topRed, , topBlue] = pixel(256, 20);
      const [bottomRed, , bottomBlue] = pixel(256, 490);
      expect(topRed).toBeGreaterThan(200);
      expect(topBlue).toBeLessThan(60);
      expect(bottomBlue).toBeGreaterThan(200);
      expect(bottomRed).toBeLessThan(60);
    });

    it('a valid image carrying a script (polyglot) is re-encoded: nothing of the script reaches the files', async () => {
      const user = await loggedInUser(t);
      const polyglot = Buffer.concat([await pngWithAlpha(), HTML_PAGE]);
      await upload(user, polyglot, 'poly.png', 'image/png').expect(200);
      const { avatar_key: key } = await avatarRow(user.id);
      for (const name of renditionFiles(key!)) {
        expect((await readFile(path.join(storageDir, name))).includes('<script>')).toBe(false);
      }
    });

    it('serves the renditions with their Content-Type, a long cache life and nosniff', async () => {
      const user = await loggedInUser(t);
      await upload(user, await webp()).expect(200);
      const { avatar_key: key } = await avatarRow(user.id);
      for (const name of [`${key}.webp`, `${key}_high.webp`, `${key}_thumbnail.webp`]) {
        const res = await t.http().get(`/storage/avatars/${name}`).buffer(true).expect(200);
        expect(res.headers['content-type']).toBe('image/webp');
        expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
        expect(Buffer.compare(res.body as Buffer, await readFile(path.join(storageDir, 'avatars', name)))).toBe(0);
      }
    });

    it('serves the default picture, lists no directory and hides staged files', async () => {
      const fallback = await t.http().get('/storage/default-avatar.png').buffer(true).expect(200);
      expect(fallback.headers['content-type']).toBe('image/png');
      expect(fallback.headers['x-content-type-options']).toBe('nosniff');
      expect(fallback.headers['cache-control']).toBe('public, max-age=86400');
      expect((await sharp(fallback.body as Buffer).metadata()).format).toBe('png');

      for (const url of ['/storage/avatars', '/storage/avatars/', '/storage/', '/storage/avatars/missing.webp']) {
        const res = await t.http().get(url).expect(404);
        expect(res.body).toEqual({ message: 'Not Found.' });
      }
      for (const url of ['/storage/.tmp/x.webp', '/storage/avatars/..%2f.tmp%2fx.webp', '/storage/avatars/.hidden']) {
        expect([403, 404]).toContain((await t.http().get(url)).status);
      }
    });

    it('needs authentication', async () => {
      await t.http().post('/api/me/avatar').attach('file', await webp(), 'a.webp').expect(401);
      await t.http().put('/api/me/avatar/external').send({ url: 'https://example.com/a.png' }).expect(401);
      await t.http().delete('/api/me/avatar').expect(401);
    });

    it('replacing an avatar deletes the previous files once the new one is committed', async () => {
      const { user, key: first } = await userWithAvatar();
      expect(await filesOnDisk()).toEqual(expect.arrayContaining(renditionFiles(first)));
      await upload(user, await webp(), 'second.webp', 'image/webp').expect(200);
      const { avatar_key: second } = await avatarRow(user.id);
      expect(second).not.toBe(first);
      const files = await filesOnDisk();
      expect(files.filter((file) => file.includes(first))).toEqual([]);
      expect(files.filter((file) => file.includes(second!))).toEqual(renditionFiles(second!));
    });

    it('logs the time of a 2-megapixel JPEG upload, the event-loop delay and other requests meanwhile', async () => {
      const user = await loggedInUser(t);
      const photo = await noisyJpeg(2);
      const { width, height } = await sharp(photo).metadata();
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const started = process.hrtime.bigint();
      let uploading = true;
      const uploaded = Promise.resolve(upload(user, photo, 'photo.jpg').expect(200)).finally(() => (uploading = false));
      // Requests of another kind answered while the upload is processed.
      const others: number[] = [];
      while (uploading) {
        const sent = process.hrtime.bigint();
        await t.http().get('/api/me').set(user.auth).expect(200);
        others.push(Number(process.hrtime.bigint() - sent) / 1e6);
      }
      await uploaded;
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      delay.disable();
      // A measurement for the report, not an assertion.
      process.stdout.write(
        `[avatar timing] ${width}x${height} JPEG of ${(photo.length / 1024 / 1024).toFixed(2)} MB: ` +
          `upload ${elapsedMs.toFixed(0)} ms, event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms, ` +
          `p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms; ${others.length} GET /api/me meanwhile, ` +
          `slowest ${Math.max(...others).toFixed(0)} ms\n`,
      );
    }, 30_000);
  });

  describe('refused uploads change nothing on disk or in the row', () => {
    async function expectRefused(
      body: Buffer,
      filename: string,
      contentType: string,
      status: number,
      expected: object,
    ): Promise<number> {
      const { user, key } = await userWithAvatar();
      const before = await filesOnDisk();
      const started = Date.now();
      const res = await upload(user, body, filename, contentType);
      const elapsed = Date.now() - started;
      expect({ status: res.status, body: res.body }).toEqual({ status, body: expected });
      expect(await filesOnDisk()).toEqual(before);
      expect(await avatarRow(user.id)).toEqual({ avatar_key: key, avatar_url: null });
      return elapsed;
    }

    const jpegHalf = async (): Promise<Buffer> => {
      const jpeg = await sidewaysJpegWithGps();
      return jpeg.subarray(0, Math.floor(jpeg.length / 2));
    };

    it.each([
      ['a text file named .jpg', async () => Buffer.from('just some text, honestly\n'), 'photo.jpg', 'image/jpeg'],
      ['an SVG with a script', async () => SVG_WITH_SCRIPT, 'image.svg', 'image/svg+xml'],
      ['an SVG with a script named .png', async () => SVG_WITH_SCRIPT, 'image.png', 'image/png'],
      ['an HTML page', async () => HTML_PAGE, 'page.jpg', 'image/jpeg'],
      ['a PDF', async () => PDF_DOCUMENT, 'doc.png', 'image/png'],
      ['zero bytes', async () => Buffer.alloc(0), 'empty.jpg', 'image/jpeg'],
      ['a truncated JPEG', jpegHalf, 'cut.jpg', 'image/jpeg'],
      ['a JPEG header on garbage', async () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 7)]), 'x.jpg', 'image/jpeg'],
      ['a GIF/JavaScript polyglot', async () => Buffer.from('GIF89a/*\x01\x00\x01\x00*/=1;alert(document.domain)//'), 'x.gif', 'image/gif'],
    ])('%s → 422 "The file must be an image."', async (_name, make, filename, contentType) => {
      await expectRefused(await make(), filename, contentType, 422, NOT_AN_IMAGE);
    });

    it('a 20000×20000 PNG bomb → 422, refused quickly', async () => {
      const bomb = pngBomb(20000);
      expect(bomb.length).toBeLessThan(100 * 1024);
      const elapsed = await expectRefused(bomb, 'bomb.png', 'image/png', 422, {
        message: 'The given data was invalid.',
        errors: { file: ['The file may not be larger than 40 megapixels.'] },
      });
      expect(elapsed).toBeLessThan(2000);
    });

    it('a 6 MB file → 413 in the family shape', async () => {
      const big = Buffer.concat([await sidewaysJpegWithGps(), Buffer.alloc(6 * 1024 * 1024, 1)]);
      await expectRefused(big, 'big.jpg', 'image/jpeg', 413, { message: 'The file may not be greater than 5120 kilobytes.' });
    });

    it('two files → 422', async () => {
      const { user, key } = await userWithAvatar();
      const before = await filesOnDisk();
      const image = await webp();
      const res = await t
        .http()
        .post('/api/me/avatar')
        .set(user.auth)
        .attach('file', image, 'a.webp')
        .attach('file', image, 'b.webp')
        .expect(422);
      expect(res.body).toEqual({ message: 'The given data was invalid.', errors: { file: ['Only one file may be uploaded.'] } });
      expect(await filesOnDisk()).toEqual(before);
      expect((await avatarRow(user.id)).avatar_key).toBe(key);
    });

    it('a wrong field name → 422 naming it; no file at all → 422 required; other fields → 422', async () => {
      const { user, key } = await userWithAvatar();
      const before = await filesOnDisk();
      const wrong = await t.http().post('/api/me/avatar').set(user.auth).attach('avatar', await webp(), 'a.webp').expect(422);
      expect(wrong.body).toEqual({ message: 'The given data was invalid.', errors: { avatar: ['The avatar field is not allowed.'] } });

      // A JSON body is not what the route documents (issue 19: 415); a form without the file part is a 422.
      await t.http().post('/api/me/avatar').set(user.auth).send({}).expect(415);
      const missing = await t
        .http()
        .post('/api/me/avatar')
        .set(user.auth)
        .set('Content-Type', 'multipart/form-data; boundary=empty-form')
        .send('--empty-form--\r\n')
        .expect(422);
      expect(missing.body).toEqual({ message: 'The given data was invalid.', errors: { file: ['The file field is required.'] } });

      const extra = await t.http().post('/api/me/avatar').set(user.auth).field('role_id', '1').attach('file', await webp(), 'a.webp');
      expect(extra.status).toBe(422);
      expect(Object.keys(extra.body.errors)).toEqual(['file']);

      expect(await filesOnDisk()).toEqual(before);
      expect((await avatarRow(user.id)).avatar_key).toBe(key);
    });
  });

  describe('external URL and removal', () => {
    it('stores an http(s) URL as given, reports it as the avatar and deletes the uploaded files', async () => {
      const { user, key } = await userWithAvatar();
      const url = 'https://s.gravatar.com/avatar/20208b38fbb6018920da7d038fbc58dc?s=80';
      const res = await t.http().put('/api/me/avatar/external').set(user.auth).send({ url }).expect(200);
      expect(res.body.data.avatar).toBe(url);
      expect(await avatarRow(user.id)).toEqual({ avatar_key: null, avatar_url: url });
      expect((await filesOnDisk()).filter((file) => file.includes(key))).toEqual([]);
      const [activity] = await t.db.query(
        `SELECT properties FROM activity_logs WHERE user_id = $1 AND event = 'user:avatar.updated' ORDER BY id DESC LIMIT 1`,
        [user.id],
      );
      expect(activity.properties).toEqual({ source: 'external' });
    });

    it.each([
      ['javascript:', 'javascript:alert(1)'],
      ['file:', 'file:///etc/passwd'],
      ['data:', 'data:image/png;base64,iVBORw0KGgo='],
      ['ftp:', 'ftp://example.com/avatar.png'],
      ['credentials', 'https://user:secret@example.com/avatar.png'],
      ['a user name alone', 'https://user@example.com/avatar.png'],
      ['3000 characters', `https://example.com/${'a'.repeat(2980)}`],
      ['no host', 'http:///avatar.png'],
      ['backslashes', 'https:\\\\evil.example\\a.png'],
      ['spaces', 'https://example.com/a b.png'],
      ['not a URL', 'avatar.png'],
      ['a number', 12345],
      ['nothing', undefined],
    ])('%s → 422 on url, nothing changed', async (_name, url) => {
      const { user, key } = await userWithAvatar();
      const res = await t.http().put('/api/me/avatar/external').set(user.auth).send({ url }).expect(422);
      expect(res.body.message).toBe('The given data was invalid.');
      expect(Object.keys(res.body.errors)).toEqual(['url']);
      expect(JSON.stringify(res.body)).not.toContain('secret');
      expect(await avatarRow(user.id)).toEqual({ avatar_key: key, avatar_url: null });
    });

    it('DELETE goes back to the default picture and removes the files', async () => {
      const { user, key } = await userWithAvatar();
      const res = await t.http().delete('/api/me/avatar').set(user.auth).expect(200);
      expect(res.body.data.avatar).toBe('http://avatars.test/storage/default-avatar.png');
      expect(await avatarRow(user.id)).toEqual({ avatar_key: null, avatar_url: null });
      expect((await filesOnDisk()).filter((file) => file.includes(key))).toEqual([]);
      // Deleting again changes nothing and records nothing.
      const [{ n: before }] = await t.db.query(`SELECT count(*)::int AS n FROM activity_logs WHERE user_id = $1`, [user.id]);
      await t.http().delete('/api/me/avatar').set(user.auth).expect(200);
      const [{ n: after }] = await t.db.query(`SELECT count(*)::int AS n FROM activity_logs WHERE user_id = $1`, [user.id]);
      expect(after).toBe(before);
    });
  });

  describe('failures keep the old avatar and leave no orphan files', () => {
    afterEach(() => jest.restoreAllMocks());
    const storage = (): AvatarStorage => t.app.get<AvatarStorage>(AVATAR_STORAGE);
    const ioError = (): Error => Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });

    /** `fail` arms the failure once the user has an avatar. */
    async function expectKeptAfterFailure(status: number, fail: () => void): Promise<void> {
      const { user, key } = await userWithAvatar();
      const before = await filesOnDisk();
      fail();
      const res = await upload(user, await webp(), 'new.webp', 'image/webp');
      expect(res.status).toBe(status);
      expect(JSON.stringify(res.body)).not.toMatch(/EIO|\.tmp|avatars\//);
      expect(await avatarRow(user.id)).toEqual({ avatar_key: key, avatar_url: null });
      expect(await filesOnDisk()).toEqual(before);
      const me = await t.http().get('/api/me').set(user.auth).expect(200);
      expect(me.body.data.avatar).toBe(`http://avatars.test/storage/avatars/${key}.webp`);
    }

    it.each([
      ['staging', 'stage', 1],
      ['giving the files their public names', 'commit', 2],
    ] as const)('when %s fails part-way (503)', async (_name, step, doneBeforeFailing) => {
      // stage() takes files and commit() names: either way a list, of which the first few succeed.
      const real = storage() as unknown as Record<typeof step, (items: unknown[]) => Promise<void>>;
      const original = real[step].bind(real);
      await expectKeptAfterFailure(503, () =>
        jest.spyOn(real, step).mockImplementationOnce(async (items) => {
          await original(items.slice(0, doneBeforeFailing));
          throw ioError();
        }),
      );
    });

    it('when the COMMIT fails after the files were made public (500)', async () => {
      const probe = t.db.createQueryRunner();
      const runnerPrototype = Object.getPrototypeOf(probe) as QueryRunner;
      await probe.release();
      await expectKeptAfterFailure(500, () =>
        jest.spyOn(runnerPrototype, 'commitTransaction').mockImplementationOnce(async function (this: QueryRunner) {
          await this.rollbackTransaction();
          throw new Error('connection lost during COMMIT');
        }),
      );
    });

    it('when the database refuses the change before any file is public (500)', async () => {
      await expectKeptAfterFailure(500, () =>
        jest.spyOn(ActivityService.prototype, 'record').mockRejectedValueOnce(new Error('database went away')),
      );
    });
  });

  it('documents the upload as multipart/form-data with a binary file', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const post = res.body.paths['/api/me/avatar'].post;
    expect(post.operationId).toBe('uploadMyAvatar');
    expect(post.tags).toEqual(['me: avatar']);
    const schema = post.requestBody.content['multipart/form-data'].schema;
    const resolved = schema.$ref ? res.body.components.schemas[schema.$ref.split('/').pop()] : schema;
    expect(resolved.properties.file).toMatchObject({ type: 'string', format: 'binary' });
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '401', '413', '422']));
    expect(res.body.paths['/api/me/avatar'].delete.operationId).toBe('deleteMyAvatar');
    expect(res.body.paths['/api/me/avatar/external'].put.operationId).toBe('setMyExternalAvatar');
  });
});

describe('avatar uploads wait in line for image processing (IMAGE_PROCESSING_CONCURRENCY)', () => {
  let t: TestApp;
  let storageDir: string;

  beforeAll(async () => {
    storageDir = await mkdtemp(path.join(tmpdir(), 'tessera-avatars-'));
    t = await bootTestApp({ STORAGE_DIR: storageDir, IMAGE_PROCESSING_CONCURRENCY: '1' });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  it('processes one image at a time, and a refused image gives its turn to the next', async () => {
    let inPipeline = 0;
    let mostAtOnce = 0;
    type Render = (bytes: Buffer, field: string) => Promise<unknown>;
    const prototype = AvatarImageProcessor.prototype as unknown as { renderNow: Render };
    const renderNow = prototype.renderNow;
    jest.spyOn(prototype, 'renderNow').mockImplementation(async function (this: unknown, bytes: Buffer, field: string) {
      mostAtOnce = Math.max(mostAtOnce, ++inPipeline);
      try {
        return await renderNow.call(this, bytes, field);
      } finally {
        inPipeline--;
      }
    });
    const users = await Promise.all(Array.from({ length: 6 }, () => loggedInUser(t)));
    const bodies = await Promise.all([webp(), pngWithAlpha(), noisyJpeg(1), webp(), pngWithAlpha(), webp()]);
    // Every other upload is not an image (its bytes are refused inside the pipeline, after the header is read).
    const statuses = await Promise.all(
      users.map(async (user, i) => {
        const body = i % 2 === 1 ? Buffer.from('GIF89a but not really') : bodies[i];
        const res = await t.http().post('/api/me/avatar').set(user.auth).attach('file', body, { filename: 'a.img', contentType: 'image/png' });
        return res.status;
      }),
    );
    expect(statuses).toEqual([200, 422, 200, 422, 200, 422]);
    expect(mostAtOnce).toBe(1);
  });
});
