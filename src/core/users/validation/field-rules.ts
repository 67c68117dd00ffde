import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import { Match } from '../../../platform/validation/match.decorator.js';
import {
  EMAIL_MAX,
  NAME_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
  USERNAME_MESSAGE,
  USERNAME_PATTERN,
} from '../../../platform/validation/rules.js';

/**
 * The account field rules (issue 5, point 6), written once and applied by every family's DTO, and by the
 * client family's checks that run after its password check.
 */

export const PHONE_PATTERN = /^\+?\d{1,20}$/;
/** What the document says of a clearable phone or birthday: the value, or `""` (which clears it). */
const CLEARABLE_PHONE_PATTERN = /^(\+?\d{1,20})?$/;
const CLEARABLE_DATE_PATTERN = /^(\d{4}-\d{2}-\d{2})?$/;
export const PHONE_MAX = 20;
export const ADDRESS_MAX = 255;
/** ISO 639-1, optionally with a region: `it`, `pt-BR`. */
export const LANGUAGE_PATTERN = /^[a-z]{2}(-[A-Z]{2})?$/;
export const LANGUAGE_MAX = 10;
/** Largest ISO 3166-1 numeric code. */
const COUNTRY_ID_MAX = 999;

type Rules = PropertyDecorator;

/**
 * A string field's limits below, as the OpenAPI document states them. The swagger plugin only reads class-validator
 * decorators written on the property with literal arguments, so these composite rules document themselves.
 * The type is explicit: a nullable property's design type is Object.
 */
const Documented = (limits: { maxLength?: number; minLength?: number; pattern?: RegExp; format?: string }): Rules =>
  ApiProperty({ type: 'string', ...limits, pattern: limits.pattern?.source });

/** Optional, but when present never null (for columns that cannot be cleared). */
const Present = (): Rules => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** `YYYY-MM-DD` naming a real calendar day (2023-02-30 is not). */
function parseCalendarDate(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(0);
  // Not Date.UTC(year, …): it reads the years 0 to 99 as 1900 to 1999.
  date.setUTCFullYear(year, month - 1, day);
  const same = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return same && year >= 1 ? date : null;
}

function registerRule(name: string, message: string, test: (value: unknown) => boolean, options?: ValidationOptions): Rules {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `$property ${message}`, ...options },
      validator: { validate: test },
    });
}

/** A real calendar date strictly before today (UTC). The rule names are Laravel's `date` and `before`. */
const IsPastCalendarDate = (): Rules =>
  applyDecorators(
    registerRule('date', 'is not a valid date (YYYY-MM-DD).', (value) => parseCalendarDate(value) !== null),
    registerRule('before', 'must be a date before today.', (value) => {
      const date = parseCalendarDate(value);
      return date === null || date.toISOString().slice(0, 10) < new Date().toISOString().slice(0, 10);
    }),
  );

export const UsernameRules = (): Rules =>
  applyDecorators(
    IsNotEmpty(),
    IsString(),
    Matches(USERNAME_PATTERN, { message: USERNAME_MESSAGE }),
    // The length bounds USERNAME_PATTERN enforces.
    Documented({ pattern: USERNAME_PATTERN, minLength: 3, maxLength: 50 }),
  );

export const EmailRules = (): Rules =>
  applyDecorators(IsNotEmpty(), IsString(), MaxLength(EMAIL_MAX), IsEmail(), Documented({ maxLength: EMAIL_MAX, format: 'email' }));

export const NewPasswordRules = (): Rules =>
  applyDecorators(
    IsNotEmpty(),
    IsString(),
    MinLength(PASSWORD_MIN),
    MaxLength(PASSWORD_MAX),
    Documented({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX }),
  );

/** Must equal `password` (Laravel's `confirmed`); required whenever a new password is sent. */
export const PasswordConfirmationRules = (): Rules =>
  applyDecorators(
    ValidateIf((object: { password?: unknown }) => object.password !== undefined),
    IsNotEmpty(),
    IsString(),
    Match('password'),
    Documented({ minLength: 1 }),
  );

/** A password proving who the caller is: only its presence and type are checked here. */
export const CurrentPasswordRules = (): Rules =>
  applyDecorators(IsNotEmpty(), IsString(), MaxLength(PASSWORD_MAX), Documented({ minLength: 1, maxLength: PASSWORD_MAX }));

/** Optional variants (absent = unchanged), never null. */
export const OptionalUsernameRules = (): Rules => applyDecorators(Present(), UsernameRules());
export const OptionalEmailRules = (): Rules => applyDecorators(Present(), EmailRules());
export const OptionalNewPasswordRules = (): Rules => applyDecorators(Present(), NewPasswordRules());
export const OptionalCurrentPasswordRules = (): Rules => applyDecorators(Present(), CurrentPasswordRules());

/**
 * Personal fields: absent = unchanged, null = cleared. An empty string clears too (Laravel converts empty input
 * to null), which is how a form clears a field.
 */
const Clearable = (): Rules =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (value === '' ? null : value)),
    IsOptional(),
  );

export const NameRules = (): Rules => applyDecorators(Clearable(), IsString(), MaxLength(NAME_MAX), Documented({ maxLength: NAME_MAX }));
export const AddressRules = (): Rules =>
  applyDecorators(Clearable(), IsString(), MaxLength(ADDRESS_MAX), Documented({ maxLength: ADDRESS_MAX }));
/** `""` clears like null (Clearable), so the document states the date as a pattern that also takes `""`. */
export const BirthdayRules = (): Rules =>
  applyDecorators(Clearable(), IsString(), IsPastCalendarDate(), Documented({ pattern: CLEARABLE_DATE_PATTERN }));
export const PhoneRules = (): Rules =>
  applyDecorators(
    Clearable(),
    IsString(),
    MaxLength(PHONE_MAX),
    Matches(PHONE_PATTERN, { message: '$property may only contain digits, with an optional leading +.' }),
    Documented({ maxLength: PHONE_MAX, pattern: CLEARABLE_PHONE_PATTERN }),
  );
/** Existence is checked by the domain service (and the foreign key behind it). */
export const CountryIdRules = (): Rules =>
  applyDecorators(
    IsOptional(),
    IsInt(),
    Min(1),
    Max(COUNTRY_ID_MAX),
    ApiProperty({ type: 'integer', minimum: 1, maximum: COUNTRY_ID_MAX }),
  );

export const LanguageRules = (): Rules =>
  applyDecorators(
    Present(),
    IsString(),
    MaxLength(LANGUAGE_MAX),
    Matches(LANGUAGE_PATTERN, { message: '$property must be an ISO 639-1 code, optionally with a region (en, pt-BR).' }),
    Documented({ maxLength: LANGUAGE_MAX, pattern: LANGUAGE_PATTERN }),
  );

/** Booleans as JSON or form fields send them: true/false, 1/0, "1"/"0", "true"/"false". */
const BOOLEANISH = new Map<unknown, boolean>([
  [true, true],
  [false, false],
  [1, true],
  [0, false],
  ['1', true],
  ['0', false],
  ['true', true],
  ['false', false],
]);

export const BooleanishRules = (): Rules =>
  applyDecorators(
    Present(),
    Transform(({ value }: { value: unknown }) => BOOLEANISH.get(value) ?? value),
    IsBoolean({ message: '$property must be true or false (1 or 0).' }),
  );
