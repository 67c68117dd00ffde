import { Module, type DynamicModule } from '@nestjs/common';
import { AccountRecoveryModule } from '../capabilities/account-recovery/account-recovery.module.js';
import { AdminModule } from '../capabilities/admin/admin.module.js';
import { ActivityModule } from '../core/activity/activity.module.js';
import { ApiKeysModule } from '../capabilities/api-keys/api-keys.module.js';
import { AuthModule } from '../capabilities/auth/auth.module.js';
import { AvatarModule } from '../capabilities/avatar/avatar.module.js';
import { RateLimitModule } from '../platform/rate-limit/rate-limit.module.js';
import type { AppConfig } from '../platform/config/app-config.js';
import { CredentialsModule } from '../core/credentials/credentials.module.js';
import { ConfigModule } from '../platform/config/config.module.js';
import { CountriesModule } from '../capabilities/countries/countries.module.js';
import { DatabaseModule } from '../platform/database/database.module.js';
import { HealthModule } from '../capabilities/health/health.module.js';
import { MailModule } from '../platform/mail/mail.module.js';
import { OrganizationsModule } from '../capabilities/organizations/organizations.module.js';
import { OutboxModule } from '../platform/outbox/outbox.module.js';
import { IdentitiesModule } from '../capabilities/identities/identities.module.js';
import { PasskeysModule } from '../capabilities/passkeys/passkeys.module.js';
import { ProfileModule } from '../capabilities/profile/profile.module.js';
import { SessionsModule } from '../capabilities/sessions/sessions.module.js';
import { SmsModule } from '../platform/sms/sms.module.js';
import { TwoFactorModule } from '../capabilities/two-factor/two-factor.module.js';
import { UsersModule } from '../core/users/users.module.js';
import { EventsModule } from '../core/events/events.module.js';
import { WebhooksModule } from '../capabilities/webhooks/webhooks.module.js';
import { SecondFactorPort } from './ports.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RateLimitModule,
        OutboxModule,
        MailModule,
        EventsModule,
        SmsModule,
        ActivityModule,
        UsersModule,
        CredentialsModule,
        SessionsModule,
        AuthModule.register({ secondFactor: SecondFactorPort }),
        TwoFactorModule,
        PasskeysModule,
        IdentitiesModule.register({ secondFactor: SecondFactorPort }),
        ApiKeysModule,
        AccountRecoveryModule,
        CountriesModule,
        OrganizationsModule,
        ProfileModule,
        AvatarModule,
        HealthModule,
        AdminModule,
        WebhooksModule,
      ],
    };
  }
}
