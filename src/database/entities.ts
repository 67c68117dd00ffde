import { EmailChange } from '../account-recovery/email-change.entity.js';
import { UserToken } from '../account-recovery/user-token.entity.js';
import { ActivityLog } from '../activity/activity-log.entity.js';
import { ApiKey } from '../api-keys/entities/api-key.entity.js';
import { Passkey } from '../passkeys/entities/passkey.entity.js';
import { WebAuthnChallenge } from '../passkeys/entities/webauthn-challenge.entity.js';
import { Session } from '../sessions/entities/session.entity.js';
import { RecoveryCode } from '../two-factor/entities/recovery-code.entity.js';
import { TwoFactorChallenge } from '../two-factor/entities/two-factor-challenge.entity.js';
import { TwoFactorSettings } from '../two-factor/entities/two-factor-settings.entity.js';
import { Country } from '../users/entities/country.entity.js';
import { Role } from '../users/entities/role.entity.js';
import { User } from '../users/entities/user.entity.js';

/** Every entity, listed (not globbed) so the same list works compiled, under ts-jest ESM and in the CLI. */
export const ENTITIES = [
  User,
  Role,
  Country,
  Session,
  ActivityLog,
  TwoFactorSettings,
  RecoveryCode,
  TwoFactorChallenge,
  ApiKey,
  UserToken,
  EmailChange,
  Passkey,
  WebAuthnChallenge,
];
