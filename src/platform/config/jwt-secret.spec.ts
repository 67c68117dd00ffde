import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from './app-config.js';
import { loadOrCreateJwtSecret } from './jwt-secret.js';

describe('loadOrCreateJwtSecret', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tessera-jwt-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates 48 random bytes once, readable by the owner only, and reuses them', async () => {
    const dataDir = path.join(dir, '.data');
    const first = await loadOrCreateJwtSecret(dataDir);
    expect(first.created).toBe(true);
    expect(Buffer.from(first.secret, 'base64url')).toHaveLength(48);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);

    const second = await loadOrCreateJwtSecret(dataDir);
    expect(second).toEqual({ ...first, created: false });
  });

  it('agrees on one secret when two starts race', async () => {
    const [a, b] = await Promise.all([loadOrCreateJwtSecret(dir), loadOrCreateJwtSecret(dir)]);
    expect(a.secret).toBe(b.secret);
  });

  it('refuses a kept secret that is too short, naming the variable', async () => {
    writeFileSync(path.join(dir, 'jwt-secret'), 'short\n', { mode: 0o600 });
    await expect(loadOrCreateJwtSecret(dir)).rejects.toThrow(ConfigError);
    await expect(loadOrCreateJwtSecret(dir)).rejects.toThrow(/^Invalid configuration: JWT_SECRET /);
  });
});
