import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ErrorEntry } from '../platform/errors/error-catalogue.js';

const SRC = join(process.cwd(), 'src');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((item) => {
    const path = join(folder, item.name);
    if (item.isDirectory()) return sourceFiles(path);
    return item.name.endsWith('.ts') && !item.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC);
/** Every file that defines a catalogue, wherever it is. */
const catalogueFiles = files.filter((file) => /\bdefineErrors\(\{/.test(readFileSync(file, 'utf8')));

interface Found {
  file: string;
  key: string;
  entry: ErrorEntry;
}

async function allEntries(): Promise<Found[]> {
  const found: Found[] = [];
  for (const file of catalogueFiles) {
    const exports = (await import(pathToFileURL(file).href)) as Record<string, Record<string, ErrorEntry>>;
    for (const catalogue of Object.values(exports)) {
      for (const [key, entry] of Object.entries(catalogue)) found.push({ file: relative(SRC, file), key, entry });
    }
  }
  return found;
}

describe('error catalogues', () => {
  let entries: Found[];

  beforeAll(async () => {
    entries = await allEntries();
  });

  it('are the errors.ts of their owners', () => {
    expect(catalogueFiles.map((file) => relative(SRC, file)).every((file) => file.endsWith('/errors.ts'))).toBe(true);
    expect(catalogueFiles.length).toBeGreaterThanOrEqual(12);
  });

  it('give every code once across the app, as an UPPER_SNAKE name equal to its key', () => {
    const owners = new Map<string, string[]>();
    for (const { file, key, entry } of entries) {
      expect({ key, code: entry.code }).toEqual({ key, code: key });
      expect(entry.code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      owners.set(entry.code, [...(owners.get(entry.code) ?? []), file]);
    }
    const duplicates = [...owners].filter(([, where]) => where.length > 1);
    expect(duplicates).toEqual([]);
  });

  it('give every entry an error status, a message and when it happens', () => {
    for (const { entry } of entries) {
      const problems = [
        Number.isInteger(entry.status) && entry.status >= 400 && entry.status <= 599 ? [] : ['status'],
        typeof entry.message === 'string' && entry.message.trim() !== '' ? [] : ['message'],
        typeof entry.when === 'string' && entry.when.trim() !== '' ? [] : ['when'],
        // An error on a field is a validation failure: the body's message is VALIDATION_FAILED's.
        entry.field === undefined || (entry.status === 422 && entry.field.name !== '' && entry.field.rule !== '') ? [] : ['field'],
      ].flat();
      expect({ code: entry.code, problems }).toEqual({ code: entry.code, problems: [] });
    }
  });

  it('are the only place that states a message', () => {
    const stated = entries.filter(({ entry }) => !/<\w+>/.test(entry.message)).map(({ entry }) => entry.message);
    const elsewhere = files
      .filter((file) => !catalogueFiles.includes(file) && !file.endsWith('metadata.ts'))
      .flatMap((file) => {
        const text = readFileSync(file, 'utf8');
        return stated
          .filter((message) => [`'${message}'`, `"${message}"`, `\`${message}\``].some((literal) => text.includes(literal)))
          .map((message) => `${relative(SRC, file)}: ${message}`);
      });
    expect(elsewhere).toEqual([]);
  });
});
