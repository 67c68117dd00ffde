import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from './app-config.js';

export interface KeptSecret {
  secret: string;
  file: string;
  created: boolean;
}

/**
 * The access-token key when JWT_SECRET is unset outside production (docs/configuration.md#secrets-and-keys): 48 random bytes generated on
 * the first start and kept in `<DATA_DIR>/jwt-secret` (mode 600), so tokens survive a restart.
 */
export async function loadOrCreateJwtSecret(dataDir: string): Promise<KeptSecret> {
  const file = path.join(dataDir, 'jwt-secret');
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Written aside and linked into place: link() refuses to overwrite, so two first starts agree on one secret
  // and no reader ever sees a half-written file.
  // pid and random bytes: two starts in one process (the spec's race) must not share, and remove, one temporary.
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(temporary, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600 });
  let created = true;
  try {
    await fs.link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    created = false;
  } finally {
    await fs.rm(temporary, { force: true });
  }
  const stat = await fs.stat(file);
  if ((stat.mode & 0o077) !== 0) await fs.chmod(file, 0o600);
  const secret = (await fs.readFile(file, 'utf8')).trim();
  if (Buffer.byteLength(secret) < 32) {
    throw new ConfigError('JWT_SECRET', `kept in ${file} is shorter than 32 bytes: delete the file to generate a new one`);
  }
  return { secret, file, created };
}
