/** Escapes `%`, `_` and `\` so they match themselves in a LIKE/ILIKE pattern written with `ESCAPE '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
