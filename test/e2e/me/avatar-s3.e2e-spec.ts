import sharp from 'sharp';
import { AvatarFileRemovals } from '../../../src/capabilities/avatar/avatar-file-removals.service.js';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser, type LoggedInUser } from '../../support/factories.js';
import { sidewaysJpegWithGps, webp } from '../../support/images.js';
import { S3Sink } from '../../support/s3-sink.js';

describe('avatar: the s3 storage driver against s3rver', () => {
  let s3: S3Sink;
  let t: TestApp;

  beforeAll(async () => {
    s3 = await S3Sink.start();
    t = await bootTestApp({ ...s3.env, APP_URL: 'http://avatars-s3.test' });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  const objectKeys = (containing: string) => s3.objectKeys(containing);

  async function uploadAs(user: LoggedInUser, image: Buffer): Promise<string> {
    const res = await t.http().post('/api/me/avatar').set(user.auth).attach('file', image, 'avatar.jpg').expect(200);
    const [{ avatar_key: key }] = await t.db.query(`SELECT avatar_key FROM users WHERE id = $1`, [user.id]);
    expect(res.body.data.avatar).toBe(`http://avatars-s3.test/storage/avatars/${key}.webp`);
    return key;
  }

  it('stores three public objects (nothing staged left) and the app serves them with the right headers', async () => {
    const user = await loggedInUser(t);
    const key = await uploadAs(user, await sidewaysJpegWithGps());
    expect(await objectKeys(key)).toEqual([`avatars/${key}.webp`, `avatars/${key}_high.webp`, `avatars/${key}_thumbnail.webp`]);

    for (const [name, size] of [[`${key}.webp`, 512], [`${key}_high.webp`, 1024], [`${key}_thumbnail.webp`, 160]] as const) {
      const res = await t.http().get(`/storage/avatars/${name}`).buffer(true).expect(200);
      expect(res.headers['content-type']).toBe('image/webp');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const metadata = await sharp(res.body as Buffer).metadata();
      expect([metadata.format, metadata.width, metadata.height, metadata.exif]).toEqual(['webp', size, size, undefined]);
    }
    const head = await t.http().head(`/storage/avatars/${key}.webp`).expect(200);
    expect(head.headers['content-type']).toBe('image/webp');
    await t.http().get(`/storage/avatars/${'0'.repeat(32)}.webp`).expect(404);
    await t.http().get('/storage/avatars/../tmp/x.webp').expect(404);
  });

  it('replacing deletes the previous objects; DELETE removes the rest', async () => {
    const user = await loggedInUser(t);
    const first = await uploadAs(user, await webp());
    const second = await uploadAs(user, await webp(600, 900));
    expect(await objectKeys(first)).toEqual([]);
    expect(await objectKeys(second)).toHaveLength(3);
    const res = await t.http().delete('/api/me/avatar').set(user.auth).expect(200);
    expect(res.body.data.avatar).toBe('http://avatars-s3.test/storage/default-avatar.png');
    expect(await objectKeys(second)).toEqual([]);
    expect(await objectKeys('tmp/')).toEqual([]);
  });

  it('a replaced avatar whose objects cannot be removed (storage down) is removed on a retry', async () => {
    const user = await loggedInUser(t);
    const key = await uploadAs(user, await webp());
    await s3.stop();
    try {
      // An external URL needs no storage: the change commits, the old objects cannot go yet.
      await t.http().put('/api/me/avatar/external').set(user.auth).send({ url: 'https://images.example.test/me.png' }).expect(200);
      const pending = await t.db.query(`SELECT file_name FROM avatar_file_removals WHERE file_name LIKE $1`, [`${key}%`]);
      expect(pending).toHaveLength(3);
    } finally {
      await s3.start();
    }
    expect(await objectKeys(key)).toHaveLength(3);
    await t.app.get(AvatarFileRemovals).retryPending();
    expect(await objectKeys(key)).toEqual([]);
    expect(await t.db.query(`SELECT file_name FROM avatar_file_removals WHERE file_name LIKE $1`, [`${key}%`])).toEqual([]);
  });
});
