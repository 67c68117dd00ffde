import { User } from '../../core/users/user.entity.js';
import { presentRecoveryTokens, presentTotpSetup, presentVanguardUserWithRecoveryCodes } from './two-factor.presenter.js';

describe('two-factor presenters', () => {
  it('shapes the TOTP set-up as the client family does', () => {
    expect(presentTotpSetup({ secret: 'ABC', otpauthUrl: 'otpauth://totp/x', qrCode: 'data:image/svg+xml;base64,AA' })).toEqual({
      data: { image_url_data: 'otpauth://totp/x', secret: 'ABC', qr_code: 'data:image/svg+xml;base64,AA' },
    });
  });

  it('wraps recovery codes as recovery_tokens', () => {
    expect(presentRecoveryTokens(['aaaaa-bbbbb'])).toEqual({ object: 'recovery_tokens', attributes: { tokens: ['aaaaa-bbbbb'] } });
  });

  it('adds the recovery codes to the /api/me user in meta', () => {
    const user = Object.assign(new User(), {
      id: 5,
      username: 'ana',
      email: 'ana@example.com',
      status: 'Active',
      roleId: 2,
      lastLogin: null,
      twoFactorMethod: 'sms',
      twoFactorCountryCode: 381,
      twoFactorPhone: '641234567',
      createdAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      updatedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    });
    const twoFactor = { method: 'sms' as const, enabled: true, pending_method: null, recovery_codes_left: 10 };
    const body = presentVanguardUserWithRecoveryCodes({
      profile: { user, avatar: { main: 'm', high: 'h', thumbnail: 't' }, twoFactor },
      recoveryCodes: ['aaaaa-bbbbb'],
    });
    expect(body.meta).toEqual({ recovery_codes: ['aaaaa-bbbbb'] });
    expect(body.data).toMatchObject({ id: 5, two_factor_country_code: 381, two_factor_phone: '641234567', two_factor_options: twoFactor });
  });
});
