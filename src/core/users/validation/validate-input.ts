import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainError } from '../../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../../platform/errors/errors.js';
import { flattenValidationErrors } from '../../../platform/validation/validation.js';

/**
 * Validates input against a DTO class with the global pipe's settings, for checks that must run after something
 * else (the client family validates its fields only once the password proved right).
 */
export async function validateInput<T extends object>(type: ClassConstructor<T>, input: object): Promise<T> {
  const instance = plainToInstance(type, input);
  const errors = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) throw new DomainError(PLATFORM_ERRORS.VALIDATION_FAILED, { fields: flattenValidationErrors(errors) });
  return instance;
}
