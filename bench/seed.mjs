// Seeds the bench database in bulk SQL, with credentials made by the app's own code (from the build in dist/):
// one argon2id hash (the app's PasswordService at production cost) shared by every user, a live session per user
// whose refresh hash is what SessionTokens derives, an access token signed by SessionTokens for it, and one API key
// per user (`ptlc_` identifier + secret, only the secret's SHA-256 stored, as ApiKeysService does) carrying the
// scopes a key made without `scopes` gets (every one but `admin`), so the guard's scope check runs on the key rows;
// and a browser session per user (`session: "cookie"`), whose cookie holds its id and a secret (only the secret's
// SHA-256 stored, as SessionsService.openBrowser does).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @param {import('pg').Client} db connected to the bench database (migrated by the app's start-up)
 * @param {{ appRoot: string }} options appRoot: the checkout whose dist/ is measured (its code makes the credentials)
 * @returns {Promise<{ users: {id:number, username:string}[], tokens: string[], refreshTokens: string[], apiKeys: string[], cookies: string[] }>}
 *   cookies: each a `Cookie` header carrying one browser session's cookie
 */
export async function seed(db, { appRoot, users: count, password, jwtSecret, accessTtlSeconds, appConfig }) {
  const dist = (file) => import(pathToFileURL(path.join(appRoot, 'dist', 'src', file)).href);
  const { PasswordService } = await dist('core/credentials/password.service.js');
  const { SessionTokens, newSessionId, sha256Hex } = await dist('core/credentials/sessions/session-tokens.js');
  const { generateApiKey, hashApiKeySecret } = await dist('capabilities/api-keys/api-key-tokens.js');
  const { DEFAULT_API_KEY_SCOPES } = await dist('core/users/api-key-scopes.js');
  const { newCookieSecret, sessionCookieValue } = await dist('core/credentials/sessions/session-cookie.js');

  const passwordHash = await new PasswordService(appConfig).hash(password);
  const { rows: users } = await db.query(
    `INSERT INTO users (username, email, email_verified_at, password, first_name, last_name, role_id, status)
     SELECT 'bench' || i, 'bench' || i || '@example.com', now(), $1, 'Bench', 'User ' || i, 2, 'Active'
       FROM generate_series(1, $2) AS i
     RETURNING id, username`,
    [passwordHash, count],
  );

  const tokens = new SessionTokens(jwtSecret, accessTtlSeconds);
  const now = new Date();
  const sessionIds = users.map(() => newSessionId());
  const refreshTokens = sessionIds.map((id) => tokens.refreshToken(id, 1));
  await db.query(
    `INSERT INTO sessions (id, user_id, ip_address, user_agent, last_activity, expires_at, logged_in_at, generation, rotated_at, refresh_token_hash)
     SELECT s.id, s.user_id, '127.0.0.1', 'tessera-bench', $3, $3::timestamptz + interval '30 days', $3, 1, $3, s.refresh_hash
       FROM unnest($1::varchar[], $2::int[], $4::char(64)[]) AS s(id, user_id, refresh_hash)`,
    [sessionIds, users.map((u) => u.id), now, refreshTokens.map((token) => sha256Hex(token))],
  );
  const accessTokens = users.map((u, i) => tokens.signAccessToken({ sub: String(u.id), sid: sessionIds[i], gen: 1 }, now));

  const browserSessionIds = users.map(() => newSessionId());
  const cookieSecrets = users.map(() => newCookieSecret());
  await db.query(
    `INSERT INTO sessions (id, user_id, ip_address, user_agent, last_activity, expires_at, logged_in_at, generation, rotated_at, cookie_secret_hash)
     SELECT s.id, s.user_id, '127.0.0.1', 'tessera-bench', $3, $3::timestamptz + interval '30 days', $3, 1, $3, s.secret_hash
       FROM unnest($1::varchar[], $2::int[], $4::char(64)[]) AS s(id, user_id, secret_hash)`,
    [browserSessionIds, users.map((u) => u.id), now, cookieSecrets.map((secret) => sha256Hex(secret))],
  );
  const cookies = browserSessionIds.map((id, i) => `${appConfig.sessionCookie.name}=${sessionCookieValue(id, cookieSecrets[i])}`);

  const keys = users.map(() => generateApiKey());
  await db.query(
    `INSERT INTO api_keys (user_id, identifier, secret_hash, description, format_version, scopes)
     SELECT k.user_id, k.identifier, k.secret_hash, 'bench', 2, $4::jsonb FROM unnest($1::int[], $2::varchar[], $3::char(64)[]) AS k(user_id, identifier, secret_hash)`,
    [users.map((u) => u.id), keys.map((k) => k.identifier), keys.map((k) => hashApiKeySecret(k.secret)), JSON.stringify(DEFAULT_API_KEY_SCOPES)],
  );
  await db.query('ANALYZE');
  return { users, tokens: accessTokens, refreshTokens, apiKeys: keys.map((k) => k.token), cookies };
}
