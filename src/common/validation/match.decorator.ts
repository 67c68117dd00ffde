import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

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
