/**
 * The shape of the error catalogues. Each owner (platform, core/users, core/credentials, each capability) states
 * the errors it answers in its own `errors.ts`, once: the code, the HTTP status, the message and when it happens.
 * Services throw `new DomainError(entry)`, the family error filter renders the entry's body, and the OpenAPI
 * document shows the same entry (its `when` as the description, its body as the example), so none of the three
 * can drift from the others.
 */

export interface FieldError {
  /** Dotted path of the input field (`allowed_ips.2`). */
  field: string;
  message: string;
  /** The Laravel-style rule that failed (`required`, `max`, `unique`, …). */
  rule: string;
}

/** One error the API answers. */
export interface ErrorEntry<Code extends string = string> {
  /** Stable UPPER_SNAKE name, unique across the app; also the name of its example in the OpenAPI document. */
  readonly code: Code;
  readonly status: number;
  /**
   * What the body says. `<name>` marks a part filled in where the error is thrown (`This API key lacks the scope
   * <scope>.`); the OpenAPI example shows the marker, or the operation's own value where it knows one.
   */
  readonly message: string;
  /** When it happens: the description of the response in the OpenAPI document. */
  readonly when: string;
  /**
   * A 422 on one named field: the field (a throw site may report it on another) and the rule it broke. The
   * message is then the field's; the body's own message is the one every validation failure has.
   */
  readonly field?: { readonly name: string; readonly rule: string };
}

type Catalogue<Specs> = { readonly [Code in keyof Specs & string]: ErrorEntry<Code> };

/** A catalogue: each entry gets its key as its code (an entry may spread another's status and message). */
export function defineErrors<const Specs extends Record<string, Omit<ErrorEntry, 'code'>>>(specs: Specs): Catalogue<Specs> {
  return Object.freeze(
    Object.fromEntries(Object.entries(specs).map(([code, spec]) => [code, Object.freeze({ ...spec, code })])),
  ) as Catalogue<Specs>;
}

/** The entry's message with its `<name>` markers filled from `params` (a marker without a value stays). */
export function messageOf(entry: ErrorEntry, params: Readonly<Record<string, string | number>> = {}): string {
  return entry.message.replace(/<(\w+)>/g, (marker, name: string) => (params[name] === undefined ? marker : String(params[name])));
}

/** The field error of an entry on a field, for a throw that collects several of them (`fields`). */
export function fieldErrorOf(entry: ErrorEntry, field = entry.field?.name, params?: Readonly<Record<string, string | number>>): FieldError {
  if (!entry.field || field === undefined) throw new Error(`${entry.code} is not an error on a field`);
  return { field, message: messageOf(entry, params), rule: entry.field.rule };
}
