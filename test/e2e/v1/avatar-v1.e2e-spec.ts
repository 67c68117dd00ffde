import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser } from '../../support/factories.js';
import { pngBomb, sidewaysJpegWithGps, webp } from '../../support/images.js';

describe('avatar: profile_picture on POST /api/v1/auth/user/profile', () => {
  let t: TestApp;
  let storageDir: string;

  beforeAll(async () => {
    storageDir = await mkdtemp(path.join(tmpdir(), 'tessera-avatars-v1-'));
    t = await bootTestApp({ STORAGE_DIR: storageDir, APP_URL: 'http://avatars-v1.test' });
  });
  afterAll(async () => {
    await t?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  const filesOnDisk = async (): Promise<string[]> =>
    (await readdir(storageDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name).sort();

  async function row(userId: number): Promise<{ avatar_key: string | null; first_name: string | null }> {
    const [found] = await t.db.query(`SELECT avatar_key, first_name FROM users WHERE id = $1`, [userId]);
    return found;
  }

  it('stores the picture with the text fields and returns all three paths', async () => {
    const user = await loggedInUser(t);
    const res = await t
      .http()
      .post('/api/v1/auth/user/profile')
      .set(user.auth)
      .field('name', 'Pictured')
      .attach('profile_picture', await sidewaysJpegWithGps(), 'me.jpg')
      .expect(200);
    const { avatar_key: key, first_name } = await row(user.id);
    expect(first_name).toBe('Pictured');
    const base = `http://avatars-v1.test/storage/avatars/${key}`;
    expect(res.body.data).toMatchObject({
      name: 'Pictured',
      profile_picture_path: `${base}.webp`,
      profile_picture_high_path: `${base}_high.webp`,
      profile_picture_thumbnail_path: `${base}_thumbnail.webp`,
    });
    for (const [suffix, size] of [['', 512], ['_high', 1024], ['_thumbnail', 160]] as const) {
      const metadata = await sharp(path.join(storageDir, 'avatars', `${key}${suffix}.webp`)).metadata();
      expect([metadata.width, metadata.height, metadata.exif]).toEqual([size, size, undefined]);
    }
    const me = await t.http().get('/api/v1/auth/user').set(user.auth).expect(200);
    expect(me.body.profile.profile_picture_high_path).toBe(`${base}_high.webp`);
  });

  it('takes the picture alone, and replaces (and deletes) an earlier one', async () => {
    const user = await loggedInUser(t);
    const post = (image: Buffer) =>
      t.http().post('/api/v1/auth/user/profile').set(user.auth).attach('profile_picture', image, 'p.webp').expect(200);
    await post(await webp());
    const { avatar_key: first } = await row(user.id);
    const res = await post(await webp(900, 600));
    const { avatar_key: second } = await row(user.id);
    expect(second).not.toBe(first);
    expect(res.body.data.profile_picture_high_path).toBe(`http://avatars-v1.test/storage/avatars/${second}_high.webp`);
    expect((await filesOnDisk()).filter((name) => name.startsWith(first!))).toEqual([]);
  });

  it.each([
    ['not an image', async () => Buffer.from('not an image'), 'The profile picture must be an image.'],
    ['a bomb', async () => pngBomb(), 'The profile picture may not be larger than 40 megapixels.'],
  ])('refuses %s with 422 on profile_picture and changes nothing, text fields included', async (_name, make, message) => {
    const user = await loggedInUser(t);
    const before = await filesOnDisk();
    const res = await t
      .http()
      .post('/api/v1/auth/user/profile')
      .set(user.auth)
      .field('name', 'Should not stick')
      .attach('profile_picture', await make(), 'picture.jpg')
      .expect(422);
    expect(res.body).toEqual({ message: 'The given data was invalid.', errors: { profile_picture: [message] } });
    expect(await row(user.id)).toEqual({ avatar_key: null, first_name: null });
    expect(await filesOnDisk()).toEqual(before);
  });

  it('refuses a file under another name and a second picture', async () => {
    const user = await loggedInUser(t);
    const image = await webp();
    const wrong = await t.http().post('/api/v1/auth/user/profile').set(user.auth).attach('file', image, 'a.webp').expect(422);
    expect(wrong.body.errors).toEqual({ file: ['The file field is not allowed.'] });
    const two = await t
      .http()
      .post('/api/v1/auth/user/profile')
      .set(user.auth)
      .attach('profile_picture', image, 'a.webp')
      .attach('profile_picture', image, 'b.webp')
      .expect(422);
    expect(two.body.errors).toEqual({ profile_picture: ['Only one profile picture may be uploaded.'] });
    const big = await t
      .http()
      .post('/api/v1/auth/user/profile')
      .set(user.auth)
      .attach('profile_picture', Buffer.alloc(6 * 1024 * 1024, 1), 'big.jpg')
      .expect(413);
    expect(big.body).toEqual({ message: 'The profile picture may not be greater than 5120 kilobytes.' });
    expect(await row(user.id)).toEqual({ avatar_key: null, first_name: null });
  });

  it('documents profile_picture in the multipart body only', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const content = doc.paths['/api/v1/auth/user/profile'].post.requestBody.content;
    expect(JSON.stringify(content['application/json'])).not.toContain('profile_picture');
    // One flat, closed form (issue 19): the DTO's fields and the file part.
    expect(content['multipart/form-data'].schema.properties.profile_picture).toMatchObject({ type: 'string', format: 'binary' });
    expect(content['multipart/form-data'].schema.additionalProperties).toBe(false);
  });
});
