import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { OptionalNotNull } from '../../../platform/validation/match.decorator.js';
import { OptionalCurrentPasswordRules } from '../../../core/users/validation/field-rules.js';
import { SESSION_MODES } from '../../auth/dto/login.dto.js';

export class OAuthProviderDto {
  /** The id in the provider's routes. @example "google" */
  id: string;
  /** What to show on its button. @example "Google" */
  name: string;
}

export class OAuthProviderListDto {
  @ApiProperty({ type: [OAuthProviderDto] })
  data: OAuthProviderDto[];
}

export class AuthorizeQueryDto {
  /**
   * Where the browser returns with the outcome; must start with one of OAUTH_RETURN_URLS (default: FRONTEND_URL's
   * origin). @example "https://app.example.com/auth/callback"
   */
  @OptionalNotNull()
  @IsString()
  @MaxLength(2048)
  return_to?: string;

  /** The single-use ticket of `POST /api/me/identities/{provider}/link` (its `authorize_url` carries it). @example "q3Vb8yJxZk2mN5pR7sT9uW1xY3zA5bC7dE9fG1hJ3kL" */
  @OptionalNotNull()
  @IsString()
  @MaxLength(100)
  link_ticket?: string;
}

export class ExchangeDto {
  /** The `oauth_code` the callback put on `return_to`: single use, 60 seconds. @example "Xh3kP9sQ2vL7nM4bR8tY1wZ6cF5gJ0aD3eH7iK2oU9q" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(100)
  code: string;

  /** A name for the new session, kept with it. @example "Office laptop" */
  @OptionalNotNull()
  @IsString()
  @MaxLength(255)
  device_name?: string;

  /** `cookie`: a browser session, as at `POST /api/login` (no token in the answer; the session cookie is set). @example "cookie" */
  @OptionalNotNull()
  @IsIn(SESSION_MODES)
  @ApiProperty({ enum: SESSION_MODES, required: false })
  session?: 'cookie';
}

export class LinkIdentityDto {
  /** Required unless this session signed in within RECENT_AUTH_SECONDS. @example "correct horse battery staple" */
  @OptionalCurrentPasswordRules()
  current_password?: string;

  /** Where the browser returns once linked (`?oauth_linked=1`) or not (`?oauth_error=…`); the rule of `return_to` above. @example "https://app.example.com/settings/security" */
  @OptionalNotNull()
  @IsString()
  @MaxLength(2048)
  return_to?: string;
}

export class LinkUrlDto {
  /** Open it in the user's browser (a top-level navigation): it goes to the provider and links its account. @example "https://api.example.com/api/oauth/google/authorize?link_ticket=q3Vb8yJxZk2mN5pR7sT9uW1xY3zA5bC7dE9fG1hJ3kL" */
  authorize_url: string;
}

export class LinkIdentityResponseDto {
  data: LinkUrlDto;
}

export class IdentityDto {
  /** @example 3 */
  id: number;
  /** The configured provider's id. @example "google" */
  provider: string;
  /** The address the provider gave at the last sign-in, if any. @example "ana@example.com" */
  email: string | null;
  /** @example "2026-11-30 09:12:44" */
  created_at: string;
  /** Null until it first signs in. @example "2026-12-01 18:03:10" */
  last_used_at: string | null;
}

export class IdentityListDto {
  @ApiProperty({ type: [IdentityDto] })
  data: IdentityDto[];
}

export class UnlinkIdentityDto {
  /** Required unless this session signed in within RECENT_AUTH_SECONDS. @example "correct horse battery staple" */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}
