import { Logger, StreamableFile } from '@nestjs/common';
import type { AccountExport } from './account-export.service.js';

const logger = new Logger('AccountExport');

/**
 * The export as a JSON attachment, streamed. A failure once the body has started cannot change the status any
 * more: the connection is cut, so the client sees an incomplete download rather than a truncated document that
 * looks finished. (The first chunk needs no database read, so a failure always comes after the headers.)
 */
export function presentAccountExport(exported: AccountExport): StreamableFile {
  return new StreamableFile(exported.document, {
    type: 'application/json; charset=utf-8',
    disposition: `attachment; filename="${exported.fileName}"`,
  }).setErrorHandler((error, response) => {
    logger.error({ err: error }, 'account export failed while streaming');
    response.destroy?.();
  });
}
