import { Readable } from 'node:stream';
import type { ExportSection, ExportSubject } from '../../../core/lifecycle/account-lifecycle.js';

export const EXPORT_FORMAT = 'tessera-account-export';
/** Raised when a field changes meaning or goes away; new fields and sections keep the version. */
export const EXPORT_VERSION = 1;

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown[]> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * The export as JSON text, chunk by chunk: the header, then each section under its key. A paged section becomes
 * one array written a page at a time; the next page is read only when the consumer asked for more (Readable.from
 * pulls), so a slow download holds neither rows nor a database connection.
 */
export async function* exportDocumentChunks(sections: readonly ExportSection[], subject: ExportSubject, exportedAt: Date): AsyncGenerator<string> {
  const header = JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at: exportedAt.toISOString() });
  yield header.slice(0, -1);
  for (const section of sections) {
    yield `,${JSON.stringify(section.key)}:`;
    const value = section.write(subject);
    if (!isAsyncIterable(value)) {
      yield JSON.stringify((await value) ?? null);
      continue;
    }
    let first = true;
    yield '[';
    for await (const page of value) {
      if (page.length === 0) continue;
      const items = page.map((item) => JSON.stringify(item)).join(',\n');
      yield first ? `\n${items}` : `,\n${items}`;
      first = false;
    }
    yield ']';
  }
  yield '}\n';
}

export function exportDocumentStream(sections: readonly ExportSection[], subject: ExportSubject, exportedAt: Date): Readable {
  return Readable.from(exportDocumentChunks(sections, subject, exportedAt), { objectMode: false });
}
