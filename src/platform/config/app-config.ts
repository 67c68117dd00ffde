import ipaddr from 'ipaddr.js';
import { availableParallelism } from 'node:os';

/**
 * Typed configuration read once from the environment (docs/configuration.md).
 * A bad value throws a ConfigError whose message is one line naming the variable.
 */
export class ConfigError extends Error {
  /** Every variable at fault, when several are (production's required ones are reported together). */
  readonly variables: string[];

  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable} ${detail}`);
    this.variables = [variable];
  }

  /** One line per variable, so a deployment learns everything it lacks from one failed start. */
  static all(errors: ConfigError[]): ConfigError {
    if (errors.length === 1) return errors[0];
    const combined = new ConfigError(errors[0].variable, '');
    combined.message = errors.map((error) => error.message).join('\n');
    (combined as { variables: string[] }).variables = errors.map((error) => error.variable);
    return combined;
  }
}

export type SmsDriver = 'log' | 'http';
export type StorageDriver = 'local' | 's3';

export interface AppConfig {
  nodeEnv: string;
  isProduction: boolean;
  port: number;
  appUrl: string;
  frontendUrl: string;
  /** Unset means: start the embedded PostgreSQL kept in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Unset means: generated once and kept in `dataDir` (refused in production). */
  jwtSecret?: string;
  /** Key material for two-factor secrets at rest; unset means: derived from the JWT secret. */
  twoFactorEncryptionKey?: string;
  accessTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  /** A session unused this long can no longer refresh (and its access tokens are refused). */
  sessionIdleTtlSeconds: number;
  /** Active sessions an account may have; a new one revokes the least recently used past it. */
  maxSessionsPerUser: number;
  recentAuthSeconds: number;
  redisUrl?: string;
  smtpUrl?: string;
  mailFrom: string;
  /** The transactional outbox: how often each instance looks for due messages, retries, pruning. */
  outbox: OutboxConfig;
  /** Webhooks out (docs/guides/webhooks.md): which targets deliveries may reach, when a failing endpoint is switched off. */
  webhooks: WebhooksConfig;
  smsDriver: SmsDriver;
  smsHttpUrl?: string;
  storageDriver: StorageDriver;
  storageDir: string;
  /** Avatar images decoded and encoded at once; more uploads wait their turn (bounds memory, see README Performance). */
  imageProcessingConcurrency: number;
  s3: { bucket?: string; region: string; endpoint?: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean };
  /** Express's `trust proxy`: off, a number of hops, or the proxies' addresses (IPs, CIDR ranges, Express's names). */
  trustProxy: false | number | string[];
  registrationEnabled: boolean;
  twoFactorEnabled: boolean;
  corsOrigins: string[];
  /**
   * Origins a browser request may come from (APP_URL's, FRONTEND_URL's and CORS_ORIGINS): the cross-site request
   * check of cookie sessions and CORS's credentialed answers.
   */
  allowedOrigins: string[];
  /** The browser session cookie (docs/guides/browser-sessions.md). */
  sessionCookie: SessionCookieConfig;
  adminEmail?: string;
  adminPassword?: string;
  logLevel: string;
  /** argon2id cost; tests may lower it through ARGON2_MEMORY_KIB / ARGON2_TIME_COST, the defaults are OWASP's. */
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  rateLimits: RateLimits;
  sms: SmsBudgets;
  /** Largest JSON or form body, bytes (BODY_LIMIT); uploads have their own 5 MB multipart limit. */
  bodyLimitBytes: number;
  /** argon2 hashes or verifications running at once; the rest wait up to 2 s, then 503. */
  argon2MaxConcurrent: number;
  /** Avatar uploads that may wait for the image line beyond those being processed; past it, 503. */
  imageQueueLimit: number;
  /** `expires_at` of a new key: at most `maxLifetimeDays` ahead; `defaultLifetimeDays` when none is given (unset: none). */
  apiKeys: { maxLifetimeDays: number; defaultLifetimeDays?: number };
  database: { statementTimeoutMs: number; connectionTimeoutMs: number; poolSize: number; logQueries: boolean };
  /** On SIGTERM: how long readiness reports false while requests are still served, before the server closes. */
  shutdownDelayMs: number;
  /** Screening of new passwords (docs/security.md#password-screening): zxcvbn score, and the k-anonymity breached-password range API. */
  passwordPolicy: { minScore: number; pwnedUrl?: string; pwnedMinCount: number; pwnedFailClosed: boolean };
  /** Passkeys: the relying party the browser binds credentials to, and the origins whose assertions count. */
  webauthn: WebAuthnConfig;
  organizations: OrganizationsConfig;
  /** Sign-in with identity providers (docs/guides/identity-providers.md). */
  oauth: OAuthConfig;
}

/** Organizations (docs/api/organizations.md): how many, how big, how long an invitation lives, where the public page is. */
export interface OrganizationsConfig {
  /** Organizations one user may have created that still exist. */
  perUser: number;
  /** Members of one organization, pending invitations counted as members to be. */
  membersMax: number;
  /** Pending invitations of one organization. */
  pendingInvitationsMax: number;
  invitationTtlSeconds: number;
  /** The public page's URL, `{id}` standing for the organization's id. */
  publicUrlTemplate: string;
}

export interface SessionCookieConfig {
  /** SESSION_COOKIE_NAME: `__Host-tessera_session`, or `tessera_session` where `Secure` cannot be set. */
  name: string;
  /** Off only when APP_URL is plain http on a host browsers do not treat as secure (not localhost, 127.0.0.1, [::1]). */
  secure: boolean;
  sameSite: 'lax' | 'strict';
  /** SESSION_COOKIE_TTL: the cookie's Max-Age and the browser session's lifetime, slid forward with use. */
  ttlSeconds: number;
}

export type OAuthProviderType = 'oidc' | 'github';

export interface OAuthProviderConfig {
  /** Lower case, as in the routes (`/api/oauth/google/authorize`); OAUTH_<ID>_… in upper case. */
  id: string;
  /** Shown to users (`Sign in with <name>`). */
  name: string;
  type: OAuthProviderType;
  /** The OpenID Connect issuer discovered on first use; for GitHub the server's base URL (`https://github.com`). */
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  /** The provider's addresses count as verified without an `email_verified` claim. */
  trustEmail: boolean;
}

export interface OAuthConfig {
  providers: OAuthProviderConfig[];
  /** Where a flow may return: origins, or origins with a path prefix, normalised. */
  returnUrls: string[];
}

export interface OutboxConfig {
  /** How often each instance's worker looks for due rows (a commit in the same instance wakes it at once). */
  pollMs: number;
  /** A mail that SMTP keeps refusing is retried this long after it was written, then kept as failed. */
  mailRetryHours: number;
  /** The first retry's delay; each next one doubles (at most an hour), with jitter. */
  retryFirstDelayMs: number;
  /** Sent rows are deleted this long after they were sent. */
  pruneSentAfterHours: number;
}

export interface WebhooksConfig {
  /** Loopback, private, link-local and metadata targets are refused unless this is set (local development, tests). */
  allowPrivateTargets: boolean;
  /** An endpoint whose deliveries failed for this long without a success is disabled and the admins are mailed. */
  disableAfterHours: number;
  /** Each delivery attempt is abandoned (and retried) after this long. */
  timeoutMs: number;
}

export interface WebAuthnConfig {
  rpId: string;
  rpName: string;
  /** Exact origins (`https://app.example.com`), each on the RP ID or one of its subdomains. */
  origins: string[];
}

/** docs/configuration.md#how-configuration-is-read: every limit is a whole number from 1 to 1,000,000. */
export interface RateLimits {
  /** Failed logins (and failed proofs, two-factor codes) of one account from one address, per 15 minutes. */
  loginFailuresPerAccountIp: number;
  /** Failures of one account from all addresses, per hour. */
  loginFailuresPerAccount: number;
  /** Failures from one address across accounts, per hour. */
  loginFailuresPerIp: number;
  /** Successful sign-ins from one address (an IPv6 /64) across accounts, per 10 minutes. */
  loginPerIp: number;
  /** Successful sign-ins of one account, per hour. */
  loginPerAccount: number;
  registerPerHour: number;
  /** Password reset mails per address of record (also verification resends per account), per hour. */
  passwordRemindPerHour: number;
  /** Password reset requests per client address, per hour. */
  passwordRemindPerIpPerHour: number;
  apiPerMinute: number;
}

/**
 * Enrolment texts (a phone being confirmed) and login texts (a sign-in's code) are counted apart, each purpose with
 * its own counters per number, per address and overall: texts others ask for never spend the owner's login codes.
 */
export interface SmsBudgets {
  /** Texts per destination number per hour, per purpose; also login texts per account (it texts one number). */
  perDestinationPerHour: number;
  /** Enrolment texts one account may ask for per hour. */
  enrolmentPerAccountPerHour: number;
  /** Texts asked for from one client address (an IPv6 /64) per hour, per purpose. */
  perIpPerHour: number;
  /** Texts per hour from the whole deployment, per purpose. */
  maxPerHour: number;
  /** Calling codes SMS may go to; null: all. */
  allowedCallingCodes: number[] | null;
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function str(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** docs/configuration.md#how-configuration-is-read: every limit accepts whole numbers from 1 to 1,000,000. */
function limit(env: Env, name: string, fallback: number): number {
  return int(env, name, fallback, 1, 1_000_000);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 * 1024 };

/** A size as body-parser reads it (`64kb`, `1mb`, `65536`): a whole number from 1 to 1,000,000 and a unit. */
function size(env: Env, name: string, fallback: string): number {
  const raw = (str(env, name) ?? fallback).toLowerCase();
  const match = /^(\d+)\s*(b|kb|mb)?$/.exec(raw);
  if (!match) throw new ConfigError(name, `must be a size such as 64kb, 1mb or 65536 (bytes), got "${raw}"`);
  const amount = Number(match[1]);
  if (amount < 1 || amount > 1_000_000) throw new ConfigError(name, `must be between 1 and 1000000 (with b, kb or mb), got ${amount}`);
  return amount * SIZE_UNITS[match[2] ?? '']!;
}

/** `all` (the default) or comma-separated calling codes (`1,44,381`, a leading `+` allowed). */
function callingCodes(env: Env, name: string): number[] | null {
  const raw = str(env, name);
  if (raw === undefined || raw.toLowerCase() === 'all') return null;
  return raw.split(',').map((item) => {
    const code = item.trim().replace(/^\+/, '');
    if (!/^[1-9]\d{0,3}$/.test(code)) throw new ConfigError(name, `must be "all" or calling codes such as 1,44,381, got "${item.trim()}"`);
    return Number(code);
  });
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, fallback?: string, protocols = ['http:', 'https:']): string | undefined {
  const raw = str(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be an absolute URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use one of ${protocols.join(', ')}`);
  }
  return raw.replace(/\/+$/, '');
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, name) ?? fallback;
  if (!allowed.includes(raw as T)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: a whole number is the count of proxy hops in front (1: only the last X-Forwarded-For entry, the one
 * the proxy appended, counts); otherwise a list of the proxies' IPs or CIDR ranges (or Express's names).
 */
function proxyTrust(env: Env): false | number | string[] {
  const raw = str(env, 'TRUST_PROXY');
  if (raw === undefined || raw.trim() === '') return false;
  if (/^\s*\d+\s*$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 10) throw new ConfigError('TRUST_PROXY', `must be 1 to 10 hops, got ${hops}`);
    return hops;
  }
  const proxies = list(env, 'TRUST_PROXY');
  for (const proxy of proxies) {
    const valid = PROXY_NAMES.includes(proxy) || ipaddr.isValid(proxy) || (() => {
      try {
        ipaddr.parseCIDR(proxy);
        return true;
      } catch {
        return false;
      }
    })();
    if (!valid) throw new ConfigError('TRUST_PROXY', `must be a hop count or IPs/CIDR ranges, got "${proxy}"`);
  }
  return proxies;
}

function list(env: Env, name: string): string[] {
  return (str(env, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Hosts browsers treat as a secure context over plain http. */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
/** A cookie name: an RFC 6265 token. */
const COOKIE_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/;

/**
 * SESSION_COOKIE_NAME, SESSION_COOKIE_SAMESITE, SESSION_COOKIE_TTL (docs/configuration.md#sessions-and-tokens). `Secure`
 * and the `__Host-` prefix (which binds the cookie to this host alone: no sibling subdomain can set or shadow it)
 * need a secure context; a name with a prefix the browser would then refuse stops the start.
 */
function sessionCookieConfig(env: Env, appUrl: string): SessionCookieConfig {
  const app = new URL(appUrl);
  const secure = app.protocol === 'https:' || LOOPBACK_HOSTS.includes(app.hostname.toLowerCase());
  const name = str(env, 'SESSION_COOKIE_NAME') ?? (secure ? '__Host-tessera_session' : 'tessera_session');
  if (!COOKIE_NAME_PATTERN.test(name)) throw new ConfigError('SESSION_COOKIE_NAME', `must be a cookie name (letters, digits, !#$%&'*+-.^_\`|~), got "${name}"`);
  if (!secure && /^__(host|secure)-/i.test(name)) {
    throw new ConfigError('SESSION_COOKIE_NAME', `"${name}" needs a Secure cookie, which browsers refuse over plain http (APP_URL ${app.origin})`);
  }
  const sameSite = str(env, 'SESSION_COOKIE_SAMESITE')?.toLowerCase() ?? 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict') {
    throw new ConfigError('SESSION_COOKIE_SAMESITE', `must be lax or strict (the cookie never goes on cross-site requests), got "${sameSite}"`);
  }
  // Browsers cap a cookie's lifetime at 400 days.
  const ttlSeconds = int(env, 'SESSION_COOKIE_TTL', 30 * 86400, 300, 400 * 86400);
  return { name, secure, sameSite, ttlSeconds };
}

/** CORS_ORIGINS: each an http(s) origin without a path, normalised as browsers send `Origin`. */
function corsOrigins(env: Env): string[] {
  return list(env, 'CORS_ORIGINS').map((origin) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin.replace(/\/+$/, '').toLowerCase()) {
      throw new ConfigError('CORS_ORIGINS', `must list http(s) origins without path, got "${origin}"`);
    }
    return parsed.origin;
  });
}

/** A hostname as WebAuthn takes it for an RP ID: lower-case labels, no scheme, port or path. */
const RP_ID_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME, WEBAUTHN_ORIGINS (docs/configuration.md#passkeys): defaults from FRONTEND_URL, where the SPA that
 * calls the browser's WebAuthn API is served. Every origin must sit on the RP ID (or a subdomain): a browser refuses
 * any other pairing, so a mismatch is a configuration error to stop on, not a passkey that never works.
 */
function webauthnConfig(env: Env, frontendUrl: string): WebAuthnConfig {
  const frontend = new URL(frontendUrl);
  const hostOf = (url: URL): string => url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const configuredRpId = str(env, 'WEBAUTHN_RP_ID')?.toLowerCase();
  if (configuredRpId !== undefined && !RP_ID_PATTERN.test(configuredRpId)) {
    throw new ConfigError('WEBAUTHN_RP_ID', `must be a host name without scheme, port or path, got "${configuredRpId}"`);
  }
  // Derived, FRONTEND_URL's host is taken as it is (an address too: browsers then refuse passkeys, nothing else breaks).
  const rpId = configuredRpId ?? hostOf(frontend);
  const rpName = str(env, 'WEBAUTHN_RP_NAME') ?? 'Tessera';
  if (rpName.length > 100) throw new ConfigError('WEBAUTHN_RP_NAME', 'must be at most 100 characters long');
  const configured = list(env, 'WEBAUTHN_ORIGINS');
  const origins = (configured.length > 0 ? configured : [frontend.origin]).map((origin) => {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError('WEBAUTHN_ORIGINS', `must list absolute origins, got "${origin}"`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin.replace(/\/+$/, '')) {
      throw new ConfigError('WEBAUTHN_ORIGINS', `must list http(s) origins without path, got "${origin}"`);
    }
    const host = hostOf(parsed);
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      throw new ConfigError('WEBAUTHN_ORIGINS', `"${parsed.origin}" is not on the RP ID "${rpId}" (WEBAUTHN_RP_ID) or one of its subdomains`);
    }
    return parsed.origin;
  });
  return { rpId, rpName, origins };
}

function organizationsConfig(env: Env, frontendUrl: string): OrganizationsConfig {
  const publicUrlTemplate = str(env, 'ORGANIZATION_PUBLIC_URL') ?? `${frontendUrl.replace(/\/+$/, '')}/public/organizations/{id}`;
  if (!publicUrlTemplate.includes('{id}')) throw new ConfigError('ORGANIZATION_PUBLIC_URL', 'must contain {id}, where the organization\'s id goes');
  let parsed: URL | undefined;
  try {
    parsed = new URL(publicUrlTemplate.replace('{id}', '00000000-0000-4000-8000-000000000000'));
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ConfigError('ORGANIZATION_PUBLIC_URL', `must be an http or https URL, got ${JSON.stringify(publicUrlTemplate)}`);
  }
  return {
    perUser: limit(env, 'ORGANIZATIONS_PER_USER', 10),
    membersMax: limit(env, 'ORGANIZATION_MEMBERS_MAX', 1000),
    pendingInvitationsMax: limit(env, 'ORGANIZATION_PENDING_INVITATIONS_MAX', 100),
    invitationTtlSeconds: int(env, 'ORGANIZATION_INVITATION_TTL', 604800, 300, 365 * 86400),
    publicUrlTemplate,
  };
}

/** Hosts an issuer may use plain http on: development and tests. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const OAUTH_PROVIDER_ID = /^[a-z][a-z0-9_]{0,31}$/;

/** An issuer (https, or http on a loopback host) or a return URL (http or https); no credentials, query or fragment. */
function oauthUrl(name: string, value: string, allowPath: boolean, httpAnywhere = false): URL {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${value}"`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && (httpAnywhere || isLoopbackHost(parsed.hostname)))) {
    throw new ConfigError(name, `must be ${httpAnywhere ? 'http or https' : 'https (http only on localhost, 127.0.0.1 or [::1])'}, got "${value}"`);
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash || (!allowPath && parsed.pathname !== '/')) {
    throw new ConfigError(name, `must be ${allowPath ? 'an origin or an origin and a path' : 'an origin'} without credentials, query or fragment, got "${value}"`);
  }
  return parsed;
}

/**
 * OAUTH_PROVIDERS and each provider's OAUTH_<ID>_* variables, OAUTH_RETURN_URLS (docs/configuration.md#identity-providers).
 * Nothing is fetched here: a provider that is down must not stop the start; it is discovered on first use.
 */
function oauthConfig(env: Env, frontendUrl: string): OAuthConfig {
  const ids = list(env, 'OAUTH_PROVIDERS').map((id) => id.toLowerCase());
  const providers = ids.map((id): OAuthProviderConfig => {
    if (!OAUTH_PROVIDER_ID.test(id)) throw new ConfigError('OAUTH_PROVIDERS', `ids must be letters, digits and _ starting with a letter (at most 32), got "${id}"`);
    if (ids.indexOf(id) !== ids.lastIndexOf(id)) throw new ConfigError('OAUTH_PROVIDERS', `names "${id}" twice`);
    const prefix = `OAUTH_${id.toUpperCase()}_`;
    const type = oneOf(env, `${prefix}TYPE`, ['oidc', 'github'] as const, 'oidc');
    const issuerValue = str(env, `${prefix}ISSUER`) ?? (type === 'github' ? 'https://github.com' : undefined);
    if (issuerValue === undefined) throw new ConfigError(`${prefix}ISSUER`, `is required for the OpenID Connect provider "${id}"`);
    const issuer = oauthUrl(`${prefix}ISSUER`, issuerValue, type === 'oidc');
    const clientId = str(env, `${prefix}CLIENT_ID`);
    if (clientId === undefined) throw new ConfigError(`${prefix}CLIENT_ID`, `is required for the provider "${id}"`);
    const clientSecret = str(env, `${prefix}CLIENT_SECRET`);
    if (type === 'github' && clientSecret === undefined) throw new ConfigError(`${prefix}CLIENT_SECRET`, `is required for the GitHub provider "${id}"`);
    const configuredScopes = list(env, `${prefix}SCOPES`).flatMap((scope) => scope.split(/\s+/)).filter(Boolean);
    const scopes = configuredScopes.length > 0 ? configuredScopes : type === 'github' ? ['read:user', 'user:email'] : ['openid', 'email', 'profile'];
    if (type === 'oidc' && !scopes.includes('openid')) throw new ConfigError(`${prefix}SCOPES`, 'must include openid for an OpenID Connect provider');
    const name = str(env, `${prefix}NAME`) ?? (type === 'github' ? 'GitHub' : id.charAt(0).toUpperCase() + id.slice(1));
    if (name.length > 100) throw new ConfigError(`${prefix}NAME`, 'must be at most 100 characters long');
    // Issuers are compared as their discovery documents state them: no trailing slash added or removed.
    return { id, name, type, issuer: type === 'github' ? issuer.origin : issuerValue, clientId, clientSecret, scopes, trustEmail: bool(env, `${prefix}TRUST_EMAIL`, false) };
  });
  const configuredReturns = list(env, 'OAUTH_RETURN_URLS');
  const returnUrls = (configuredReturns.length > 0 ? configuredReturns : [new URL(frontendUrl).origin]).map((value) =>
    configuredReturns.length > 0 ? oauthUrl('OAUTH_RETURN_URLS', value, true, true).href : new URL(value).href,
  );
  return { providers, returnUrls };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = str(env, 'NODE_ENV') ?? 'development';
  const isProduction = nodeEnv === 'production';
  const port = int(env, 'PORT', 3000, 0, 65535);
  const appUrl = url(env, 'APP_URL', `http://localhost:${port}`)!;
  const frontendUrl = url(env, 'FRONTEND_URL', appUrl)!;
  const databaseUrl = url(env, 'DATABASE_URL', undefined, ['postgres:', 'postgresql:']);
  // Production's required variables are collected and reported together.
  const missing: ConfigError[] = [];
  if (isProduction && databaseUrl === undefined) {
    // The embedded cluster is for development and trials; the production image does not even ship it.
    missing.push(new ConfigError('DATABASE_URL', 'is required when NODE_ENV=production'));
  }
  const jwtSecret = str(env, 'JWT_SECRET');
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 bytes long');
  }
  if (isProduction && jwtSecret === undefined) {
    missing.push(new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production'));
  }
  const twoFactorEncryptionKey = str(env, 'TWO_FACTOR_ENCRYPTION_KEY');
  if (twoFactorEncryptionKey !== undefined && Buffer.byteLength(twoFactorEncryptionKey) < 32) {
    throw new ConfigError('TWO_FACTOR_ENCRYPTION_KEY', 'must be at least 32 bytes long');
  }
  // A key of its own in production: derived from JWT_SECRET, rotating that secret would make every stored
  // two-factor secret unreadable and lock their owners out.
  if (isProduction && twoFactorEncryptionKey === undefined) {
    missing.push(
      new ConfigError('TWO_FACTOR_ENCRYPTION_KEY', 'is required when NODE_ENV=production (a key of its own, so that rotating JWT_SECRET keeps two-factor working)'),
    );
  }
  // The log driver writes each message, code included, to the log: for development only.
  const smsDriver = oneOf(env, 'SMS_DRIVER', ['log', 'http'] as const, isProduction ? 'http' : 'log');
  if (isProduction && smsDriver === 'log') {
    throw new ConfigError('SMS_DRIVER', 'must be http when NODE_ENV=production (the log driver writes the codes to the log)');
  }
  const smsHttpUrl = url(env, 'SMS_HTTP_URL');
  if (smsDriver === 'http' && smsHttpUrl === undefined) {
    if (isProduction) missing.push(new ConfigError('SMS_HTTP_URL', 'is required when NODE_ENV=production'));
    else throw new ConfigError('SMS_HTTP_URL', 'is required when SMS_DRIVER=http');
  }
  const storageDriver = oneOf(env, 'STORAGE_DRIVER', ['local', 's3'] as const, 'local');
  const s3Bucket = str(env, 'S3_BUCKET');
  if (storageDriver === 's3' && s3Bucket === undefined) {
    throw new ConfigError('S3_BUCKET', 'is required when STORAGE_DRIVER=s3');
  }
  const smtpUrl = url(env, 'SMTP_URL', undefined, ['smtp:', 'smtps:']);
  if (isProduction && smtpUrl === undefined) {
    missing.push(new ConfigError('SMTP_URL', 'is required when NODE_ENV=production (without it mails are only written to the log)'));
  }
  if (missing.length > 0) throw ConfigError.all(missing);
  const cors = corsOrigins(env);
  const logLevel = str(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const apiKeyMaxLifetimeDays = int(env, 'API_KEY_MAX_LIFETIME_DAYS', 365, 1, 36500);
  const apiKeyDefaultLifetimeDays =
    str(env, 'API_KEY_DEFAULT_LIFETIME_DAYS') === undefined ? undefined : int(env, 'API_KEY_DEFAULT_LIFETIME_DAYS', 0, 1, 36500);
  if (apiKeyDefaultLifetimeDays !== undefined && apiKeyDefaultLifetimeDays > apiKeyMaxLifetimeDays) {
    throw new ConfigError('API_KEY_DEFAULT_LIFETIME_DAYS', `must not exceed API_KEY_MAX_LIFETIME_DAYS (${apiKeyMaxLifetimeDays}), got ${apiKeyDefaultLifetimeDays}`);
  }
  const adminEmail = str(env, 'ADMIN_EMAIL');
  const adminPassword = str(env, 'ADMIN_PASSWORD');
  if (adminPassword !== undefined && (adminPassword.length < 8 || adminPassword.length > 1024)) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be 8 to 1024 characters long');
  }

  return {
    nodeEnv,
    isProduction,
    port,
    appUrl,
    frontendUrl,
    databaseUrl,
    dataDir: str(env, 'DATA_DIR') ?? '.data',
    jwtSecret,
    twoFactorEncryptionKey,
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL', 900, 60, 86400),
    sessionTtlSeconds: int(env, 'SESSION_TTL', 30 * 86400, 300, 365 * 86400),
    // At least 5 minutes: `last_activity` is written at most once a minute (batched), so a shorter idle time could
    // end a session in use.
    sessionIdleTtlSeconds: int(env, 'SESSION_IDLE_TTL', 7 * 86400, 300, 365 * 86400),
    maxSessionsPerUser: limit(env, 'MAX_SESSIONS_PER_USER', 100),
    recentAuthSeconds: int(env, 'RECENT_AUTH_SECONDS', 900, 0, 86400),
    redisUrl: url(env, 'REDIS_URL', undefined, ['redis:', 'rediss:']),
    smtpUrl,
    mailFrom: str(env, 'MAIL_FROM') ?? 'Tessera <no-reply@localhost>',
    outbox: {
      pollMs: int(env, 'OUTBOX_POLL_MS', 1000, 50, 60_000),
      mailRetryHours: int(env, 'MAIL_RETRY_HOURS', 24, 1, 720),
      retryFirstDelayMs: int(env, 'OUTBOX_RETRY_FIRST_DELAY_MS', 10_000, 50, 3_600_000),
      pruneSentAfterHours: int(env, 'OUTBOX_PRUNE_SENT_AFTER_HOURS', 168, 1, 24 * 365),
    },
    webhooks: {
      allowPrivateTargets: bool(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', false),
      disableAfterHours: int(env, 'WEBHOOK_DISABLE_AFTER_HOURS', 120, 1, 24 * 365),
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 10_000),
    },
    smsDriver,
    smsHttpUrl,
    storageDriver,
    storageDir: str(env, 'STORAGE_DIR') ?? './storage',
    imageProcessingConcurrency: int(env, 'IMAGE_PROCESSING_CONCURRENCY', 2, 1, 64),
    s3: {
      bucket: s3Bucket,
      region: str(env, 'S3_REGION') ?? 'us-east-1',
      endpoint: url(env, 'S3_ENDPOINT'),
      accessKeyId: str(env, 'S3_ACCESS_KEY_ID'),
      secretAccessKey: str(env, 'S3_SECRET_ACCESS_KEY'),
      forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', true),
    },
    trustProxy: proxyTrust(env),
    registrationEnabled: bool(env, 'REGISTRATION_ENABLED', true),
    twoFactorEnabled: bool(env, 'TWO_FACTOR_ENABLED', true),
    corsOrigins: cors,
    allowedOrigins: [...new Set([new URL(appUrl).origin, new URL(frontendUrl).origin, ...cors])],
    sessionCookie: sessionCookieConfig(env, appUrl),
    adminEmail,
    adminPassword,
    logLevel,
    argon2: {
      memoryCost: int(env, 'ARGON2_MEMORY_KIB', 19456, 1024, 4 * 1024 * 1024),
      timeCost: int(env, 'ARGON2_TIME_COST', 2, 1, 20),
      parallelism: 1,
    },
    // RATE_LIMIT_LOGIN_PER_MINUTE is no longer read (failures and successes are counted apart now); a deployment that
    // still sets it starts.
    rateLimits: {
      loginFailuresPerAccountIp: limit(env, 'RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP', 5),
      loginFailuresPerAccount: limit(env, 'RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT', 20),
      loginFailuresPerIp: limit(env, 'RATE_LIMIT_LOGIN_FAILURES_PER_IP', 100),
      // An office of 50 behind one address signs in six times in 10 minutes before this stops it.
      loginPerIp: limit(env, 'RATE_LIMIT_LOGIN_PER_IP', 300),
      loginPerAccount: limit(env, 'RATE_LIMIT_LOGIN_PER_ACCOUNT', 30),
      registerPerHour: limit(env, 'RATE_LIMIT_REGISTER_PER_HOUR', 20),
      passwordRemindPerHour: limit(env, 'RATE_LIMIT_REMIND_PER_HOUR', 5),
      passwordRemindPerIpPerHour: limit(env, 'RATE_LIMIT_REMIND_PER_IP_PER_HOUR', 20),
      apiPerMinute: limit(env, 'RATE_LIMIT_API_PER_MINUTE', 600),
    },
    sms: {
      perDestinationPerHour: limit(env, 'SMS_PER_DESTINATION_PER_HOUR', 5),
      enrolmentPerAccountPerHour: limit(env, 'SMS_ENROLMENT_PER_ACCOUNT_PER_HOUR', 3),
      perIpPerHour: limit(env, 'SMS_PER_IP_PER_HOUR', 20),
      maxPerHour: limit(env, 'SMS_MAX_PER_HOUR', 500),
      allowedCallingCodes: callingCodes(env, 'SMS_ALLOWED_CALLING_CODES'),
    },
    bodyLimitBytes: size(env, 'BODY_LIMIT', '64kb'),
    argon2MaxConcurrent: limit(env, 'ARGON2_MAX_CONCURRENT', availableParallelism()),
    imageQueueLimit: limit(env, 'IMAGE_QUEUE_LIMIT', 20),
    apiKeys: { maxLifetimeDays: apiKeyMaxLifetimeDays, defaultLifetimeDays: apiKeyDefaultLifetimeDays },
    database: {
      statementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 10000, 100, 600000),
      connectionTimeoutMs: int(env, 'DB_CONNECTION_TIMEOUT_MS', 5000, 100, 600000),
      poolSize: int(env, 'DB_POOL_SIZE', 10, 1, 200),
      logQueries: bool(env, 'DB_LOG_QUERIES', false),
    },
    shutdownDelayMs: int(env, 'SHUTDOWN_DELAY_MS', 0, 0, 60000),
    passwordPolicy: {
      // zxcvbn's 3, "safely unguessable": the lowest score its documentation rates as protection against an offline
      // attack on a slow hash (2 only withstands an unthrottled online attack). See README, Configuration.
      minScore: int(env, 'PASSWORD_MIN_SCORE', 3, 0, 4),
      pwnedUrl: url(env, 'PWNED_PASSWORDS_URL'),
      pwnedMinCount: int(env, 'PWNED_PASSWORDS_MIN_COUNT', 1, 1, 1_000_000_000),
      pwnedFailClosed: bool(env, 'PWNED_PASSWORDS_FAIL_CLOSED', false),
    },
    webauthn: webauthnConfig(env, frontendUrl),
    organizations: organizationsConfig(env, frontendUrl),
    oauth: oauthConfig(env, frontendUrl),
  };
}
