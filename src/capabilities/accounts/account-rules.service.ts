import { Injectable } from '@nestjs/common';
import { PasswordPolicyService, type PasswordOwner } from '../../core/credentials/password-policy.service.js';
import { PasswordService } from '../../core/credentials/password.service.js';
import { ConfigError } from '../../platform/config/app-config.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { USER_ERRORS } from '../../core/users/errors.js';
import { CountriesService } from '../countries/countries.service.js';

/** A new password in clear, and who chose it: that decides how it is screened and how a refusal is reported. */
export type NewPassword =
  /** A person's (the account's owner or an admin): refused with a 422 on `password`. */
  | { chosen: string }
  /** The operator's, from an environment variable: a refusal stops the start, naming the variable. */
  | { configured: string; variable: string }
  /** Tessera's own, random: nothing to screen (and a start that needs no breach-list call). */
  | { generated: string };

/** The checks an account's fields pass whether the account is created or changed. */
@Injectable()
export class AccountRules {
  constructor(
    private readonly countries: CountriesService,
    private readonly passwords: PasswordService,
    private readonly passwordPolicy: PasswordPolicyService,
  ) {}

  async assertCountryExists(countryId: number | null | undefined): Promise<void> {
    if (countryId != null && !(await this.countries.exists(countryId))) {
      throw new DomainError(USER_ERRORS.UNKNOWN_COUNTRY);
    }
  }

  /** Screens the password against the account's own words as they will be (and the breach list), then hashes it. */
  async passwordHash(password: NewPassword, owner: PasswordOwner): Promise<string> {
    if ('chosen' in password) {
      await this.passwordPolicy.assertAcceptable(password.chosen, owner);
      return this.passwords.hash(password.chosen);
    }
    if ('configured' in password) {
      try {
        await this.passwordPolicy.assertAcceptable(password.configured, owner);
      } catch (error) {
        if (error instanceof DomainError) throw new ConfigError(password.variable, 'is too common or has appeared in a data breach; choose another');
        throw error;
      }
      return this.passwords.hash(password.configured);
    }
    return this.passwords.hash(password.generated);
  }
}
