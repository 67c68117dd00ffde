import type { Logger } from '@nestjs/common';
import { DomainError } from '../../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../../platform/errors/errors.js';
import type { AvatarStorage } from './avatar-storage.js';

/** A storage step whose failure is logged and answered with a 503 that says nothing internal. `what` names the files in the log. */
export async function inStorage(logger: Logger, what: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    logger.error({ err: error }, `${what} storage failed`);
    throw new DomainError(PLATFORM_ERRORS.SERVICE_UNAVAILABLE, { retryAfter: 5, cause: error });
  }
}

/** Removes files after a failed upload; a failure is logged (the files are orphans then), never thrown. */
export async function removeQuietly(storage: AvatarStorage, logger: Logger, what: string, names: string[]): Promise<void> {
  try {
    await storage.remove(names);
  } catch (error) {
    logger.error({ err: error, names }, `could not remove ${what} files; they are orphans now`);
  }
}
