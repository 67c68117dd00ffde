import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { DomainError, type FieldError } from '../errors/domain-error.js';
import { fieldErrorOf } from '../errors/error-catalogue.js';
import { PLATFORM_ERRORS } from '../errors/errors.js';

/** class-transformer's @Type registry (not re-exported by its index; the same CommonJS module the app loads). */
const { defaultMetadataStorage } = createRequire(import.meta.url)('class-transformer/cjs/storage.js') as {
  defaultMetadataStorage: {
    findTypeMetadata(target: Function, propertyName: string): { typeFunction?: () => unknown } | undefined;
  };
};

/** docs/errors.md#input-checks: nesting deeper than this is refused. */
export const MAX_NESTING = 16;

/** C0 controls and DEL; in a body, tab, line feed and carriage return are text. */
const BODY_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** Query strings and path segments are never multi-line text. */
const ANY_CONTROL = /[\u0000-\u001f\u007f]/;
/** Half a surrogate pair: JSON can spell it (`"\ud800"`), UTF-8 cannot, and PostgreSQL would store U+FFFD. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;
const wellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);

type Known = { names: Set<string>; nested: Map<string, Function> } | undefined;

const knownByClass = new Map<Function, Known>();

/**
 * The properties a DTO class declares (its class-validator metadata, inherited ones included) and, for nested DTOs,
 * their class (class-transformer's @Type). Undefined for a class without validation metadata.
 */
function knownPropertiesOf(metatype: Function): Known {
  if (knownByClass.has(metatype)) return knownByClass.get(metatype);
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
  let known: Known;
  if (metadatas.length > 0) {
    const names = new Set(metadatas.map((metadata) => metadata.propertyName));
    const nested = new Map<string, Function>();
    for (const name of names) {
      const type = defaultMetadataStorage.findTypeMetadata(metatype, name)?.typeFunction?.();
      if (typeof type === 'function' && type !== Number && type !== String && type !== Boolean && type !== Date) {
        nested.set(name, type);
      }
    }
    known = { names, nested };
  }
  knownByClass.set(metatype, known);
  return known;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

interface Walk {
  fields: FieldError[];
  controls: RegExp;
  /** Unknown keys, refused, then removed so the rest of the input is validated too (every failing field named). */
  unknown: { object: Record<string, unknown>; key: string }[];
}

function checkString(value: string, field: string, walk: Walk): void {
  if (walk.controls.test(value)) {
    walk.fields.push({ field, message: `The ${field} field must not contain control characters.`, rule: 'regex' });
  } else if (!wellFormed(value)) {
    walk.fields.push({ field, message: `The ${field} field must be valid UTF-8 text.`, rule: 'string' });
  }
}

/**
 * One pass over a client's input, before class-transformer sees it (so a large or hostile body costs one walk that
 * stops at the first level past the limit): strings with control characters or lone surrogates, nesting deeper than
 * MAX_NESTING, and keys the DTO does not declare (`__proto__`, `constructor` and `prototype` included, which
 * class-transformer would otherwise drop silently).
 */
function walkValue(value: unknown, field: string, depth: number, known: Known, walk: Walk): void {
  if (typeof value === 'string') return checkString(value, field, walk);
  if (typeof value !== 'object' || value === null) return;
  if (depth >= MAX_NESTING) {
    walk.fields.push({ field, message: `The ${field} field is nested too deeply (at most ${MAX_NESTING} levels).`, rule: 'max' });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => walkValue(item, `${field}.${index}`, depth + 1, undefined, walk));
    return;
  }
  walkObject(value as Record<string, unknown>, field, depth, known, walk);
}

function walkObject(object: Record<string, unknown>, parent: string, depth: number, known: Known, walk: Walk): void {
  for (const key of Object.keys(object)) {
    const field = parent ? `${parent}.${key}` : key;
    if (ANY_CONTROL.test(key) || !wellFormed(key)) {
      walk.fields.push(fieldErrorOf(PLATFORM_ERRORS.FIELD_NAME_MALFORMED));
      continue;
    }
    if (known && !known.names.has(key)) {
      walk.unknown.push({ object, key });
      walk.fields.push({ field, message: `The ${field} field is not allowed.`, rule: 'prohibited' });
      continue;
    }
    const nestedClass = known?.nested.get(key);
    walkValue(object[key], field, depth + 1, nestedClass ? knownPropertiesOf(nestedClass) : undefined, walk);
  }
}

/**
 * Runs before the ValidationPipe on every body, query and path parameter (docs/errors.md#input-checks). Refusals are 422 naming
 * the field, except a path parameter, which names a resource: 404. Hostile strings and nesting are refused at once;
 * unknown keys are removed and what is left goes through validation, so the answer names every failing field.
 */
@Injectable()
export class InputGuardPipe implements PipeTransform {
  /**
   * Query DTOs for which an empty query validates to what `new Dto()` gives: most reads come without a query
   * (`GET /api/me`), and class-transformer plus class-validator on `{}` were about 4 % of such a request's CPU
   * while the answer never changes. Learnt from the first empty query each DTO gets, through the real pipe.
   */
  private readonly emptyQueryIsDefault = new Map<Function, boolean>();

  constructor(private readonly validation: PipeTransform) {}

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.type === 'query' && metadata.data === undefined && isPlainObject(value) && Object.keys(value).length === 0 ? metadata.metatype : undefined;
    if (typeof dto === 'function') {
      const learnt = this.emptyQueryIsDefault.get(dto);
      if (learnt) return new (dto as new () => unknown)();
      if (learnt === undefined) {
        const validated = await this.validation.transform(value, metadata);
        this.emptyQueryIsDefault.set(dto, validated instanceof dto && isDeepStrictEqual({ ...validated }, { ...new (dto as new () => object)() }));
        return validated;
      }
    }
    const checked = this.guard(value, metadata);
    if (checked.fields.length === 0) return this.validation.transform(value, metadata);
    if (checked.unknown.length < checked.fields.length) {
      throw new DomainError(PLATFORM_ERRORS.VALIDATION_FAILED, { fields: dedupe(checked.fields) });
    }
    for (const { object, key } of checked.unknown) delete object[key];
    let others: FieldError[] = [];
    try {
      await this.validation.transform(value, metadata);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      others = error.fields;
    }
    throw new DomainError(PLATFORM_ERRORS.VALIDATION_FAILED, { fields: dedupe([...checked.fields, ...others]) });
  }

  private guard(value: unknown, metadata: ArgumentMetadata): Walk {
    const none: Walk = { fields: [], controls: ANY_CONTROL, unknown: [] };
    if (metadata.type === 'custom') return none;
    const known = typeof metadata.metatype === 'function' ? knownPropertiesOf(metadata.metatype) : undefined;
    if (metadata.type === 'param') {
      if (typeof value === 'string' && (ANY_CONTROL.test(value) || !wellFormed(value))) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
      return none;
    }
    const walk: Walk = { fields: [], controls: metadata.type === 'query' ? ANY_CONTROL : BODY_CONTROLS, unknown: [] };
    if (metadata.type === 'query' && isPlainObject(value)) {
      for (const [key, given] of Object.entries(value)) {
        // `?page=1&page=2` is one parameter given twice: one message, not a range error per value.
        if (Array.isArray(given)) {
          walk.fields.push({ field: key, message: `The ${key} field must be given only once.`, rule: 'string' });
        }
      }
    }
    if (isPlainObject(value)) walkObject(value, metadata.data ?? '', 0, metadata.data ? undefined : known, walk);
    else walkValue(value, metadata.data ?? 'input', 0, undefined, walk);
    return walk;
  }
}

/** A query key given twice is reported once. */
function dedupe(fields: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return fields.filter((field) => {
    const key = `${field.field}\u0000${field.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
