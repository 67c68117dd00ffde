import { presentVanguardUserResponse } from '../../dialects/vanguard/user.presenter.js';
import type { VanguardUserWithRecoveryCodesDto } from './dto/sms-two-factor.dto.js';
import type { RecoveryTokensDto, TotpSetupDto } from './dto/totp.dto.js';
import type { ProfileWithRecoveryCodes } from './sms-two-factor.service.js';
import type { TotpSetup } from './totp.service.js';

/** `{"data": {image_url_data, secret, qr_code}}` (client family). */
export function presentTotpSetup(setup: TotpSetup): TotpSetupDto {
  return { data: { image_url_data: setup.otpauthUrl, secret: setup.secret, qr_code: setup.qrCode } };
}

/** `{"object": "recovery_tokens", "attributes": {"tokens": […]}}` (client family). */
export function presentRecoveryTokens(codes: string[]): RecoveryTokensDto {
  return { object: 'recovery_tokens', attributes: { tokens: codes } };
}

/** The /api/me user with the just-issued recovery codes in `meta` (shown once). */
export function presentVanguardUserWithRecoveryCodes({ profile, recoveryCodes }: ProfileWithRecoveryCodes): VanguardUserWithRecoveryCodesDto {
  return { ...presentVanguardUserResponse(profile), meta: { recovery_codes: recoveryCodes } };
}
