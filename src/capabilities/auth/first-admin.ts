import { randomBytes } from 'node:crypto';
import { ConfigError, type AppConfig } from '../../platform/config/app-config.js';

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

/** The first admin this start created on an empty database; `password` only when Tessera generated it. */
export interface FirstAdmin {
  email: string;
  password?: string;
}

/**
 * The one line a person reads once Tessera listens: where the API and its docs are, and, on the start that created
 * the first admin, its credentials. On stderr, outside the JSON log on stdout that log collectors ship.
 */
export function announceReady(appUrl: string, firstAdmin: FirstAdmin | undefined, stream: NodeJS.WritableStream = process.stderr): void {
  let line = `Tessera is ready: API ${appUrl}/api, docs ${appUrl}/docs`;
  if (firstAdmin) {
    const password = firstAdmin.password === undefined ? 'the ADMIN_PASSWORD you set' : `password ${firstAdmin.password}`;
    line += `; first admin: username "admin", email ${firstAdmin.email}, ${password} (change it after the first login)`;
  }
  stream.write(`\n  ${line}\n\n`);
}
