import { randomBytes } from 'node:crypto';
import { ConfigError, type AppConfig } from '../config/app-config.js';

export interface FirstAdminPassword {
  password: string;
  /** True when Tessera made it up: it is then shown once, on stderr. */
  generated: boolean;
}

/**
 * The first admin's password on an empty database: ADMIN_PASSWORD, or, outside production, a random one. Production
 * refuses to start without it: a generated password would only exist in a container's captured output.
 */
export function firstAdminPassword(config: Pick<AppConfig, 'adminPassword' | 'isProduction'>): FirstAdminPassword {
  if (config.adminPassword !== undefined) return { password: config.adminPassword, generated: false };
  if (config.isProduction) {
    throw new ConfigError('ADMIN_PASSWORD', 'is required when NODE_ENV=production and the database has no user yet (the first admin)');
  }
  return { password: randomBytes(12).toString('base64url'), generated: true };
}

/** Shown once on stderr, outside the JSON log on stdout that log collectors ship. */
export function announceGeneratedPassword(email: string, password: string, stream: NodeJS.WritableStream = process.stderr): void {
  stream.write(`\n  First admin: username "admin", email ${email}, password ${password}\n  Change it after the first login.\n\n`);
}
