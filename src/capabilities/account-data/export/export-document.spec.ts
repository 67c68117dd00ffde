import { text } from 'node:stream/consumers';
import { exportDocumentStream } from './export-document.js';
import type { ExportSection, ExportSubject } from '../../../core/lifecycle/account-lifecycle.js';

const subject = {} as ExportSubject;
const at = new Date('2026-12-04T01:30:00.000Z');

function paged(key: string, pages: unknown[][]): ExportSection {
  return {
    key,
    order: 0,
    async *write() {
      for (const page of pages) yield page;
    },
  };
}

const value = (key: string, content: unknown): ExportSection => ({ key, order: 0, write: async () => content });

describe('exportDocumentStream', () => {
  it('writes the header and each section under its key, paged sections as one array', async () => {
    const sections = [value('profile', { id: 1, name: 'a "quoted" name' }), paged('activity', [[{ n: 1 }, { n: 2 }], [], [{ n: 3 }]]), value('none', undefined)];
    expect(JSON.parse(await text(exportDocumentStream(sections, subject, at)))).toEqual({
      format: 'tessera-account-export',
      version: 1,
      exported_at: '2026-12-04T01:30:00.000Z',
      profile: { id: 1, name: 'a "quoted" name' },
      activity: [{ n: 1 }, { n: 2 }, { n: 3 }],
      none: null,
    });
  });

  it('writes an empty array for a paged section without items', async () => {
    expect(JSON.parse(await text(exportDocumentStream([paged('activity', [])], subject, at))).activity).toEqual([]);
  });

  it('reads the next page only when the consumer asks for more', async () => {
    let pagesRead = 0;
    const section: ExportSection = {
      key: 'activity',
      order: 0,
      async *write() {
        for (let page = 0; page < 1000; page++) {
          pagesRead++;
          yield [{ filler: 'x'.repeat(1024) }];
        }
      },
    };
    const stream = exportDocumentStream([section], subject, at);
    await new Promise((resolve) => stream.once('readable', resolve));
    expect(pagesRead).toBeLessThan(100);
    stream.destroy();
  });
});
