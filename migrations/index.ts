import { Foundation1763769600000 } from './1763769600000-Foundation.js';
import { SessionsAndActivity1763769700000 } from './1763769700000-SessionsAndActivity.js';
import { TwoFactor1763771000000 } from './1763771000000-TwoFactor.js';
import { ApiKeys1763772000000 } from './1763772000000-ApiKeys.js';
import { UserTokens1763773000000 } from './1763773000000-UserTokens.js';
import { EmailChanges1764800000000 } from './1764800000000-EmailChanges.js';
import { ApiKeyScopesExpiryChecksum1764830000000 } from './1764830000000-ApiKeyScopesExpiryChecksum.js';
import { AccountDeletion1764840000000 } from './1764840000000-AccountDeletion.js';
import { Passkeys1764850000000 } from './1764850000000-Passkeys.js';
import { CredentialVersion1764860200000 } from './1764860200000-CredentialVersion.js';
import { DeviceTokens1764864000000 } from './1764864000000-DeviceTokens.js';
import { Outbox1764870000000 } from './1764870000000-Outbox.js';
import { Organizations1765000000000 } from './1765000000000-Organizations.js';
import { BrowserSessions1765100000010 } from './1765100000010-BrowserSessions.js';
import { Webhooks1765300000000 } from './1765300000000-Webhooks.js';
import { Identities1765200000000 } from './1765200000000-Identities.js';

/** Every migration in order; add a new one here when you add its file. */
export const MIGRATIONS = [
  Foundation1763769600000,
  SessionsAndActivity1763769700000,
  TwoFactor1763771000000,
  ApiKeys1763772000000,
  UserTokens1763773000000,
  EmailChanges1764800000000,
  ApiKeyScopesExpiryChecksum1764830000000,
  AccountDeletion1764840000000,
  Passkeys1764850000000,
  CredentialVersion1764860200000,
  DeviceTokens1764864000000,
  Outbox1764870000000,
  Organizations1765000000000,
  BrowserSessions1765100000010,
  Webhooks1765300000000,
  Identities1765200000000,
];
