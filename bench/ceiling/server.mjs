// The ceiling for `GET /api/me`: node:http + pg doing exactly that route's work and nothing else — verify the
// HS256 access token (secret as a KeyObject, as Tessera does), one prepared query joining the live session and the
// user by primary key (ban check included), and the same JSON body. No framework, no logging, no security headers.
// Environment: PORT, DATABASE_URL, JWT_SECRET, APP_URL, DB_POOL_SIZE (default 10, Tessera's default).
import { createSecretKey } from 'node:crypto';
import http from 'node:http';
import jwt from 'jsonwebtoken';
import pg from 'pg';

const port = Number(process.env.PORT ?? 3100);
const appUrl = process.env.APP_URL ?? `http://localhost:${port}`;
const key = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? '', 'utf8'));
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
const defaultAvatar = `${appUrl}/storage/default-avatar.png`;

const ME = {
  name: 'ceiling-me',
  text: `SELECT u.id, u.first_name, u.last_name, u.username, u.email, u.phone, u.avatar_key, u.avatar_url, u.address,
                u.country_id, u.role_id, u.status, u.birthday::text AS birthday, u.last_login, u.two_factor_method,
                u.two_factor_country_code, u.two_factor_phone, u.two_factor_recovery_codes_left, u.created_at, u.updated_at
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()`,
};

const formatDateTime = (date) => date.toISOString().slice(0, 19).replace('T', ' ');

function avatarOf(user) {
  if (user.avatar_url) return user.avatar_url;
  if (user.avatar_key) return `${appUrl}/storage/avatars/${user.avatar_key}.webp`;
  return defaultAvatar;
}

function twoFactorOf(user) {
  if (!user.two_factor_method && user.two_factor_phone === null) return null;
  return {
    method: user.two_factor_method,
    enabled: user.two_factor_method !== null,
    pending_method: !user.two_factor_method && user.two_factor_phone ? 'sms' : null,
    recovery_codes_left: user.two_factor_recovery_codes_left,
  };
}

function present(user) {
  return {
    data: {
      id: user.id,
      first_name: user.first_name,
      last_name: user.last_name,
      username: user.username,
      email: user.email,
      phone: user.phone,
      avatar: avatarOf(user),
      address: user.address,
      country_id: user.country_id,
      role_id: user.role_id,
      status: user.status,
      birthday: user.birthday,
      last_login: user.last_login ? formatDateTime(user.last_login) : '',
      two_factor_country_code: user.two_factor_country_code ?? 0,
      two_factor_phone: user.two_factor_phone ?? '',
      two_factor_options: twoFactorOf(user),
      created_at: formatDateTime(user.created_at),
      updated_at: formatDateTime(user.updated_at),
    },
  };
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function me(req, res) {
  const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  let claims;
  try {
    claims = match ? jwt.verify(match[1], key, { algorithms: ['HS256'] }) : null;
  } catch {
    claims = null;
  }
  if (!claims || typeof claims.sid !== 'string' || typeof claims.sub !== 'string' || !/^\d{1,10}$/.test(claims.sub)) {
    return send(res, 401, { message: 'Unauthenticated.' });
  }
  const { rows } = await pool.query({ ...ME, values: [claims.sid, Number(claims.sub)] });
  if (rows.length === 0) return send(res, 401, { message: 'Unauthenticated.' });
  if (rows[0].status === 'Banned') return send(res, 403, { message: 'Your account is banned by administrators.' });
  send(res, 200, present(rows[0]));
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/api/me') {
    me(req, res).catch(() => send(res, 500, { message: 'Server Error' }));
  } else if (req.url === '/health') {
    send(res, 200, { status: 'ok' });
  } else {
    send(res, 404, { message: 'Not Found' });
  }
});
server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1', () => process.send?.({ type: 'listening', port }));

process.on('SIGTERM', () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
});
