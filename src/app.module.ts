import { Module, type DynamicModule } from '@nestjs/common';
import { AccountRecoveryModule } from './account-recovery/account-recovery.module.js';
import { AdminModule } from './admin/admin.module.js';
import { ActivityModule } from './activity/activity.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuthModule } from './auth/auth.module.js';
import { AvatarModule } from './avatar/avatar.module.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { CountriesModule } from './countries/countries.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { MailModule } from './mail/mail.module.js';
import { PasskeysModule } from './passkeys/passkeys.module.js';
import { ProfileModule } from './profile/profile.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { SmsModule } from './sms/sms.module.js';
import { TwoFactorModule } from './two-factor/two-factor.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RateLimitModule,
        MailModule,
        SmsModule,
        ActivityModule,
        UsersModule,
        SessionsModule,
        AuthModule,
        TwoFactorModule,
        PasskeysModule,
        ApiKeysModule,
        AccountRecoveryModule,
        CountriesModule,
        ProfileModule,
        AvatarModule,
        HealthModule,
        AdminModule,
      ],
    };
  }
}
