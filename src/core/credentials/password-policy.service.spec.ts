import { ConfigError, loadConfig } from '../../platform/config/app-config.js';
import { ownerWords, PasswordPolicyService, rangeCount, SCORED_LENGTH } from './password-policy.service.js';
import { CREDENTIAL_ERRORS } from './errors.js';

describe('rangeCount', () => {
  const body = ['0018A45C4D1DEF81644B54AB7F969B88D65:1', '00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2', 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0'].join('\r\n');

  it('reads the count of the suffix, case-insensitively', () => {
    expect(rangeCount(body, '00D4F6E8FA6EECAD2A3AA415EEC418D38EC')).toBe(2);
    expect(rangeCount(body.toLowerCase(), '0018A45C4D1DEF81644B54AB7F969B88D65')).toBe(1);
  });

  it('treats a padding line (count 0) and an absent suffix as not breached', () => {
    expect(rangeCount(body, 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF')).toBe(0);
    expect(rangeCount(body, 'ABCDEF')).toBe(0);
    expect(rangeCount('', 'ABCDEF')).toBe(0);
    expect(rangeCount('garbage without separators', 'garbage without separators')).toBe(0);
  });
});

describe('ownerWords', () => {
  it('lists the whole values, the address before @ and the parts of each, lower-cased', () => {
    expect(ownerWords({ username: 'John.Doe-42', email: 'jd@Example.com', firstName: 'Ana Marija', lastName: null })).toEqual([
      'john.doe-42',
      'john',
      'doe',
      'jd@example.com',
      'example',
      'com',
      'jd',
      'ana marija',
      'ana',
      'marija',
    ]);
  });
});

describe('PasswordPolicyService offline score', () => {
  const policy = new PasswordPolicyService(loadConfig({}));

  it.each(['password', 'Password1', 'qwerty123', 'iloveyou'])('scores the common password %j below the default minimum', async (password) => {
    expect(await policy.score(password, {})).toBeLessThan(3);
  });

  it('refuses below PASSWORD_MIN_SCORE only', async () => {
    await expect(policy.assertAcceptable('password', {})).rejects.toMatchObject({ code: CREDENTIAL_ERRORS.PASSWORD_REFUSED.code, fields: [{ field: 'password', rule: 'uncompromised' }] });
    await expect(new PasswordPolicyService(loadConfig({ PASSWORD_MIN_SCORE: '0' })).assertAcceptable('password', {})).resolves.toBeUndefined();
    await expect(policy.assertAcceptable('password', {}, 'new_password')).rejects.toMatchObject({ fields: [{ field: 'new_password' }] });
  });

  it(`scores the first ${SCORED_LENGTH} characters: what follows them cannot rescue a weak start`, async () => {
    const weakStart = 'a'.repeat(SCORED_LENGTH);
    expect(await policy.score(`${weakStart}Marmalade-Tundra-Violin-77`, {})).toBe(await policy.score(weakStart, {}));
    expect(await policy.score(weakStart, {})).toBeLessThan(3);
  });

  it('still catches l33t spellings of common passwords', async () => {
    expect(await policy.score('p@ssw0rd', {})).toBeLessThan(3);
    expect(await policy.score('P4$$w0rd!', {})).toBeLessThan(3);
  });

  it("scores a strong password low once it is built from the owner's words", async () => {
    expect(await policy.score('Zbyszko Przybylak', {})).toBeGreaterThanOrEqual(3);
    expect(await policy.score('Zbyszko Przybylak', { firstName: 'Zbyszko', lastName: 'Przybylak' })).toBeLessThan(3);
  });
});

describe('password screening configuration', () => {
  it('defaults to score 3, no range API, a count of 1, failing open', () => {
    expect(loadConfig({}).passwordPolicy).toEqual({ minScore: 3, pwnedUrl: undefined, pwnedMinCount: 1, pwnedFailClosed: false });
  });

  it.each([
    [{ PASSWORD_MIN_SCORE: '5' }, 'PASSWORD_MIN_SCORE'],
    [{ PWNED_PASSWORDS_URL: 'ftp://example.test' }, 'PWNED_PASSWORDS_URL'],
    [{ PWNED_PASSWORDS_MIN_COUNT: '0' }, 'PWNED_PASSWORDS_MIN_COUNT'],
    [{ PWNED_PASSWORDS_FAIL_CLOSED: 'maybe' }, 'PWNED_PASSWORDS_FAIL_CLOSED'],
  ])('refuses %j naming the variable', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });
});
