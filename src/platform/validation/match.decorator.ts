import { registerDecorator, ValidateIf, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** The value must equal the sibling property `property` (Laravel's `confirmed`). */
export function Match(property: string, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'confirmed',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [property],
      options: { message: `$property must match ${property}.`, ...options },
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          return value === (args.object as Record<string, unknown>)[property];
        },
      },
    });
  };
}

/** The property must be absent when the sibling `property` is given (Laravel's `prohibited_with`). */
export function ProhibitedWith(property: string, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'prohibited_with',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [property],
      options: { message: `$property may not be sent together with ${property}.`, ...options },
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          return value === undefined || (args.object as Record<string, unknown>)[property] === undefined;
        },
      },
    });
  };
}

/**
 * Optional, but never null when sent: for fields whose documented schema is not nullable (IsOptional would also
 * let null through, which the OpenAPI document does not allow).
 */
export const OptionalNotNull = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);
