import speakeasy from 'speakeasy';
import { loadConfig } from '../../platform/config/app-config.js';
import { newRecoveryCode, normalizeRecoveryCode } from './recovery-codes.js';
import { matchTotpStep, newTotpSecret, otpauthUrl, totpStepAt } from './totp.js';
import { base32, randomDigits, TwoFactorCrypto } from './two-factor-crypto.js';

const config = loadConfig({ JWT_SECRET: 'unit-test-secret-that-is-long-enough-0123456789' });

describe('two-factor crypto', () => {
  it('encodes base32 as RFC 4648 does', () => {
    expect(base32(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32(Buffer.from('f'))).toBe('MY');
  });

  it('encrypts secrets bound to their user and refuses a tampered or moved ciphertext', () => {
    const crypto = new TwoFactorCrypto(config);
    const secret = newTotpSecret();
    const stored = crypto.encrypt(secret, 7);
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain(secret);
    expect(crypto.encrypt(secret, 7)).not.toBe(stored);
    expect(crypto.decrypt(stored, 7)).toBe(secret);
    expect(() => crypto.decrypt(stored, 8)).toThrow();
    const flipped = Buffer.from(stored.slice(3), 'base64url');
    flipped[flipped.length - 1] ^= 1;
    expect(() => crypto.decrypt(`v1:${flipped.toString('base64url')}`, 7)).toThrow();
    expect(() => new TwoFactorCrypto(loadConfig({ JWT_SECRET: 'another-secret-that-is-long-enough-0123456789' })).decrypt(stored, 7)).toThrow();
  });

  it('prefers TWO_FACTOR_ENCRYPTION_KEY over the JWT secret', () => {
    const withKey = new TwoFactorCrypto(
      loadConfig({ JWT_SECRET: 'unit-test-secret-that-is-long-enough-0123456789', TWO_FACTOR_ENCRYPTION_KEY: 'k'.repeat(32) }),
    );
    const stored = withKey.encrypt('ABC', 1);
    expect(() => new TwoFactorCrypto(config).decrypt(stored, 1)).toThrow();
    expect(() => loadConfig({ TWO_FACTOR_ENCRYPTION_KEY: 'short' })).toThrow('TWO_FACTOR_ENCRYPTION_KEY');
  });

  it('needs a key of its own in production, so that rotating the JWT secret keeps two-factor readable', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db.example.test/tessera', JWT_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://mail.example.test', SMS_HTTP_URL: 'https://sms.example.test/send' };
    expect(() => loadConfig(production)).toThrow(/TWO_FACTOR_ENCRYPTION_KEY is required when NODE_ENV=production/);
    expect(loadConfig({ ...production, TWO_FACTOR_ENCRYPTION_KEY: 'k'.repeat(32) }).twoFactorEncryptionKey).toBe('k'.repeat(32));
  });

  it('makes 6-digit codes and keyed digests', () => {
    for (let i = 0; i < 50; i++) expect(randomDigits(6)).toMatch(/^\d{6}$/);
    const crypto = new TwoFactorCrypto(config);
    expect(crypto.digest('123456')).toMatch(/^[0-9a-f]{64}$/);
    expect(crypto.digest('123456')).toBe(crypto.digest('123456'));
  });
});

describe('TOTP', () => {
  const secret = newTotpSecret();
  const now = new Date('2026-11-22T00:00:15Z');
  const codeAt = (steps: number) => speakeasy.totp({ secret, encoding: 'base32', time: now.getTime() / 1000 + steps * 30 });

  it('makes 20-byte base32 secrets and an otpauth URL with the issuer', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUrl('a+b@example.com', secret)).toBe(
      `otpauth://totp/Tessera:a%2Bb%40example.com?secret=${secret}&issuer=Tessera&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it('accepts the current step and one either side, naming the step', () => {
    const step = totpStepAt(now);
    expect(matchTotpStep(secret, codeAt(0), now)).toBe(step);
    expect(matchTotpStep(secret, codeAt(-1), now)).toBe(step - 1);
    expect(matchTotpStep(secret, codeAt(1), now)).toBe(step + 1);
    expect(matchTotpStep(secret, codeAt(3), now)).toBeNull();
    expect(matchTotpStep(secret, 'abcdef', now)).toBeNull();
    expect(matchTotpStep(secret, `${codeAt(0)}0`, now)).toBeNull();
  });
});

describe('recovery codes', () => {
  it('are xxxxx-xxxxx and compare regardless of case, spaces and dashes', () => {
    const code = newRecoveryCode();
    expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect(normalizeRecoveryCode(` ${code.toUpperCase().replace('-', ' ')} `)).toBe(code.replace('-', ''));
  });
});
