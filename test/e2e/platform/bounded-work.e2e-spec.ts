import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Response } from 'supertest';
import { PasswordService, type Argon2Engine } from '../../../src/core/credentials/password.service.js';
import { AvatarImageProcessor } from '../../../src/capabilities/avatar/avatar-image.processor.js';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser, registerUser, type TestUser } from '../../support/factories.js';
import { webp } from '../../support/images.js';

const TOO_LARGE = { message: 'The request body is too large.' };
const TOO_LARGE_CLIENT = { errors: [{ code: 'PayloadTooLargeHttpException', status: '413', detail: 'The request body is too large.' }] };

/** A JSON object of junk keys, `bytes` long once serialised. */
function junkBody(bytes: number): Record<string, string> {
  const body: Record<string, string> = {};
  let size = 2;
  for (let i = 0; size < bytes - 40; i++) {
    const key = `junk_${i}`;
    body[key] = 'x'.repeat(Math.min(1000, bytes - 40 - size));
    size += key.length + body[key]!.length + 6;
  }
  return body;
}

/** Counts the argon2 calls running at once, through the engine the PasswordService uses. */
function watchHashing(passwords: PasswordService, hold?: Promise<void>): { peak: () => number } {
  const real: Argon2Engine = { ...passwords.engine };
  let running = 0;
  let peak = 0;
  let first = true;
  const watched = <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      peak = Math.max(peak, ++running);
      try {
        // The first call waits for `hold`: every other request has to queue behind it.
        if (first && hold) {
          first = false;
          await hold;
        }
        return await call(...args);
      } finally {
        running--;
      }
    };
  passwords.engine.hash = watched(real.hash);
  passwords.engine.verify = watched(real.verify);
  return { peak: () => peak };
}

describe('bounded work per request: body size', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a 65 KB JSON body with 413 on a public and on protected routes, in each family shape', async () => {
    const user = await loggedInUser(t);
    const body = junkBody(65 * 1024);
    await t.http().post('/api/login').send({ username: user.username, password: user.password, ...body }).expect(413, TOO_LARGE);
    await t.http().patch('/api/me/details').set(user.auth).send(body).expect(413, TOO_LARGE);
    await t.http().put('/api/client/account/email').set(user.auth).send(body).expect(413, TOO_LARGE_CLIENT);
  });

  // (No route documents a form body: those are 415 before any parser runs; the form parser has the same limit.)
  it('refuses a chunked body without Content-Length once it passes the limit', async () => {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/api/login', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      // Chunked: the parser learns the size only while reading.
      for (let i = 0; i < 70; i++) req.write(i === 0 ? '{"junk": "' : 'x'.repeat(1024));
      req.end('"}');
    });
    expect(status).toBe(413);
  });

  it('keeps /health answering while 4 clients post 60 KB bodies to /api/login (each refused, none a 500)', async () => {
    const body = JSON.stringify({ username: 'nobody', password: 'whatever', ...junkBody(60 * 1024) });
    expect(body.length).toBeLessThan(64 * 1024);
    const refused: number[] = [];
    let flooding = true;
    const client = async (): Promise<void> => {
      while (flooding) refused.push((await t.http().post('/api/login').type('json').send(body)).status);
    };
    const clients = Array.from({ length: 4 }, client);
    const health: Response[] = [];
    for (let i = 0; i < 5; i++) health.push(await t.http().get('/health'));
    flooding = false;
    await Promise.all(clients);
    expect(health.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set([422]));
  });
});

describe('bounded work per request: argon2 hashes at once (ARGON2_MAX_CONCURRENT)', () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  const registerMany = async (n: number): Promise<TestUser[]> => {
    const users: TestUser[] = [];
    while (users.length < n) users.push(...(await Promise.all(Array.from({ length: 10 }, () => registerUser(t)))));
    return users;
  };

  it('never runs more than ARGON2_MAX_CONCURRENT hashes for 50 concurrent logins, and all of them log in', async () => {
    t = await bootTestApp({ ARGON2_MAX_CONCURRENT: '3' });
    const users = await registerMany(50);
    const hashing = watchHashing(t.app.get(PasswordService));
    const answers = await Promise.all(users.map((user) => t.http().post('/api/login').send({ username: user.username, password: user.password })));
    expect(answers.map((res) => res.status)).toEqual(users.map(() => 200));
    expect(hashing.peak()).toBeGreaterThan(0);
    expect(hashing.peak()).toBeLessThanOrEqual(3);
  });

  it('answers 503 with Retry-After to logins that cannot start a hash within 2 s, and never 500', async () => {
    t = await bootTestApp({ ARGON2_MAX_CONCURRENT: '1' });
    const users = await registerMany(20);
    let releaseFirst!: () => void;
    const hashing = watchHashing(t.app.get(PasswordService), new Promise((resolve) => (releaseFirst = resolve)));
    let sawRefusal!: () => void;
    const refusal = new Promise<void>((resolve) => (sawRefusal = resolve));
    const answers = users.map((user) =>
      t
        .http()
        .post('/api/login')
        .send({ username: user.username, password: user.password })
        .then((res) => {
          if (res.status === 503) sawRefusal();
          return res;
        }),
    );
    // The first hash is held until a request waiting behind it has been refused: no timing is assumed.
    await refusal;
    releaseFirst();
    const settled = await Promise.all(answers);
    const statuses = settled.map((res) => res.status);
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    for (const res of settled.filter((answer) => answer.status === 503)) {
      expect(res.body).toEqual({ message: 'The service is temporarily unavailable. Please retry shortly.' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(hashing.peak()).toBe(1);
    // A refused login was not counted as a failure: the same user logs in now.
    const refusedUser = users[statuses.indexOf(503)]!;
    await t.http().post('/api/login').send({ username: refusedUser.username, password: refusedUser.password }).expect(200);
  });
});

describe('bounded work per request: the avatar line (IMAGE_QUEUE_LIMIT)', () => {
  let t: TestApp;
  let storageDir: string;
  beforeAll(async () => {
    storageDir = await mkdtemp(path.join(tmpdir(), 'tessera-avatars-'));
    t = await bootTestApp({ STORAGE_DIR: storageDir, IMAGE_PROCESSING_CONCURRENCY: '1', IMAGE_QUEUE_LIMIT: '1' });
  });
  afterAll(async () => {
    await t.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After past processing + queue, in each family shape, and takes uploads again once the line moves', async () => {
    const processor = t.app.get(AvatarImageProcessor);
    const render = processor.render.bind(processor);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    let bothIn!: () => void;
    const inLine = new Promise<void>((resolve) => (bothIn = resolve));
    processor.render = async (bytes, field) => {
      if (++entered === 2) bothIn();
      await held;
      return render(bytes, field);
    };
    try {
      const image = await webp();
      const users = await Promise.all(Array.from({ length: 3 }, () => loggedInUser(t)));
      const upload = (user: (typeof users)[number], route = '/api/me/avatar', field = 'file') =>
        t.http().post(route).set(user.auth).attach(field, image, { filename: 'a.webp', contentType: 'image/webp' });
      const first = [upload(users[0]!).then((res) => res), upload(users[1]!).then((res) => res)];
      await inLine;
      const refused = await upload(users[2]!).expect(503);
      expect(refused.body).toEqual({ message: 'Too many images are being processed. Please retry shortly.' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      const refusedV1 = await upload(users[2]!, '/api/v1/auth/user/profile', 'profile_picture').expect(503);
      expect(Number(refusedV1.headers['retry-after'])).toBeGreaterThan(0);
      release();
      expect((await Promise.all(first)).map((res) => res.status)).toEqual([200, 200]);
      await upload(users[2]!).expect(200);
    } finally {
      release();
      processor.render = render;
    }
  });
});
