import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, SessionTokens } from './session-tokens.js';

const SECRET = 'a test secret of reasonable length, 48 bytes....';
const TTL = 900;
const tokens = new SessionTokens(SECRET, TTL);
const now = (): number => Math.floor(Date.now() / 1000);
/** A token with these claims, HS256 under `secret`, `iss` and `aud` ours unless the claims say otherwise. */
const signed = (claims: Record<string, unknown>, secret = SECRET): string =>
  jwt.sign({ iss: ACCESS_TOKEN_ISSUER, aud: ACCESS_TOKEN_AUDIENCE, iat: now(), exp: now() + TTL, ...claims }, secret, { algorithm: 'HS256' });

describe('SessionTokens.verifyAccessToken', () => {
  it('gives back the claims of a token it signed', () => {
    const token = tokens.signAccessToken({ sub: '42', sid: 's'.repeat(40), gen: 3 }, new Date());
    expect(tokens.verifyAccessToken(token)).toMatchObject({ sub: '42', sid: 's'.repeat(40), gen: 3 });
  });

  it('refuses another key, alg none, a tampered body, and what is not a JWT', () => {
    const good = signed({ sub: '1', sid: 'x' });
    const [head, , signature] = good.split('.');
    const body = Buffer.from(JSON.stringify({ sub: '2', sid: 'x', iss: ACCESS_TOKEN_ISSUER, aud: ACCESS_TOKEN_AUDIENCE, iat: now(), exp: now() + 60 })).toString('base64url');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${good.split('.')[1]}.`;
    for (const token of [signed({ sub: '1', sid: 'x' }, 'another secret'), none, `${head}.${body}.${signature}`, 'not-a-jwt', '']) {
      expect(tokens.verifyAccessToken(token)).toBeNull();
    }
  });

  it('refuses a token without the shape it signs or with a lifetime it would not give', () => {
    for (const claims of [
      { sid: 'x' },
      { sub: '1' },
      { sub: 'admin', sid: 'x' },
      { sub: '12345678901', sid: 'x' },
      { sub: '1', sid: 'x', iss: 'elsewhere' },
      { sub: '1', sid: 'x', aud: 'elsewhere' },
      { sub: '1', sid: 'x', exp: now() + 10 * 365 * 86400 },
      { sub: '1', sid: 'x', iat: now() - 3600, exp: now() + 60 },
      { sub: '1', sid: 'x', exp: now() - 3600 },
    ]) {
      expect(tokens.verifyAccessToken(signed(claims))).toBeNull();
    }
    expect(tokens.verifyAccessToken(signed({ sub: '1', sid: 'x' }))).toMatchObject({ sub: '1', sid: 'x' });
  });
});
