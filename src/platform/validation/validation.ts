import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError, type FieldError } from '../errors/domain-error.js';
import { PLATFORM_ERRORS } from '../errors/errors.js';

/** class-validator constraint → the Laravel rule name clients read in `meta.rule`. */
const RULES: Record<string, string> = {
  isDefined: 'required',
  isNotEmpty: 'required',
  whitelistValidation: 'prohibited',
  isString: 'string',
  isInt: 'integer',
  isNumber: 'numeric',
  isBoolean: 'boolean',
  isArray: 'array',
  isObject: 'array',
  isEmail: 'email',
  isUrl: 'url',
  isIn: 'in',
  isEnum: 'in',
  maxLength: 'max',
  minLength: 'min',
  arrayMaxSize: 'max',
  arrayMinSize: 'min',
  max: 'max',
  min: 'min',
  matches: 'regex',
  isDateString: 'date',
  isISO8601: 'date',
  isIso8601: 'date',
  isUUID: 'uuid',
  length: 'size',
  confirmed: 'confirmed',
};

function messageFor(field: string, constraint: string, original: string): string {
  if (constraint === 'whitelistValidation') return `The ${field} field is not allowed.`;
  if (constraint === 'isDefined' || constraint === 'isNotEmpty') return `The ${field} field is required.`;
  // class-validator names the property first ("username must be …"); keep that sentence, name the full path.
  const tail = original.replace(/^\S+\s/, '');
  const sentence = `The ${field} ${tail}`;
  return sentence.endsWith('.') ? sentence : `${sentence}.`;
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const fields: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    // Report "required" alone when a value is missing: the other rules only restate it.
    const keys = Object.keys(constraints);
    const required = keys.find((key) => key === 'isDefined' || key === 'isNotEmpty');
    const chosen = required ? [required] : keys;
    for (const key of chosen) {
      fields.push({ field, message: messageFor(field, key, constraints[key]), rule: RULES[key] ?? key });
    }
    if (error.children?.length) fields.push(...flattenValidationErrors(error.children, field));
  }
  return fields;
}

/** Whitelist, refuse unknown fields, transform; failures become a VALIDATION_FAILED DomainError. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      new DomainError(PLATFORM_ERRORS.VALIDATION_FAILED, { fields: flattenValidationErrors(errors) }),
  });
}
