import { createHash } from 'node:crypto';
import {
  apiKeyChecksum,
  generateApiKey,
  hasValidChecksum,
  isApiKeyCredential,
  isApiKeyIdentifier,
  parseApiKey,
  randomAlphanumeric,
  secretMatches,
} from './api-key-tokens.js';

describe('api key tokens', () => {
  it('generates ptlc_ + 11 + 32 alphanumeric characters, split into identifier and secret', () => {
    const { identifier, secret, token } = generateApiKey();
    expect(token).toMatch(/^ptlc_[A-Za-z0-9]{43}$/);
    expect(identifier).toHaveLength(16);
    expect(secret).toHaveLength(32);
    expect(token).toBe(identifier + secret);
    expect(parseApiKey(token)).toEqual({ identifier, secret });
    expect(isApiKeyIdentifier(identifier)).toBe(true);
  });

  it('ends every new secret in the base62 CRC32 of everything before it', () => {
    for (let i = 0; i < 200; i += 1) {
      const { token } = generateApiKey();
      expect(token.slice(-6)).toBe(apiKeyChecksum(token.slice(0, -6)));
      expect(hasValidChecksum(token)).toBe(true);
    }
  });

  it('computes the checksum as secret scanners do: CRC32, base62 (0-9A-Za-z), six digits left-padded with 0', () => {
    // Vectors from Python's zlib.crc32 and a plain base62 encoding.
    expect(apiKeyChecksum('hello')).toBe('0zNvy2');
    expect(apiKeyChecksum(`ptlc_aB3dE5fG7hJ${'k'.repeat(26)}`)).toBe('14H1dl');
    expect(apiKeyChecksum('')).toBe('000000');
  });

  it('fails the checksum when any one character changes', () => {
    const { token } = generateApiKey();
    for (let index = 5; index < token.length; index += 1) {
      const replacement = token[index] === 'A' ? 'B' : 'A';
      expect(hasValidChecksum(token.slice(0, index) + replacement + token.slice(index + 1))).toBe(false);
    }
  });

  it('never repeats and uses the whole alphabet', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateApiKey().token));
    expect(seen.size).toBe(200);
    expect(new Set(randomAlphanumeric(20_000)).size).toBe(62);
  });

  it.each([
    ['short', `ptlc_${'a'.repeat(42)}`],
    ['long', `ptlc_${'a'.repeat(44)}`],
    ['wrong prefix', `ptlx_${'a'.repeat(43)}`],
    ['non-ASCII', `ptlc_${'a'.repeat(20)}é${'a'.repeat(22)}`],
    ['a symbol', `ptlc_${'a'.repeat(20)}-${'a'.repeat(22)}`],
  ])('refuses a %s key', (_name, credential) => {
    expect(parseApiKey(credential)).toBeNull();
  });

  it('claims only ptlc_ credentials, so the bearer guard verifies anything else as an access token', () => {
    expect(isApiKeyCredential('ptlc_x')).toBe(true);
    expect(isApiKeyCredential('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe(false);
  });

  it('checks the secret against its SHA-256 digest', () => {
    const digest = createHash('sha256').update('s'.repeat(32)).digest('hex');
    expect(secretMatches('s'.repeat(32), digest)).toBe(true);
    expect(secretMatches(`${'s'.repeat(31)}t`, digest)).toBe(false);
    expect(secretMatches('s'.repeat(32), null)).toBe(false);
  });
});
