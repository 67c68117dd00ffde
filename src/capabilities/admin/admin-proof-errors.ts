import { applyDecorators } from '@nestjs/common';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { LaravelErrors, ProofRequiredErrors } from '../../dialects/error-responses.js';
import type { ErrorEntry } from '../../platform/errors/domain-error.js';

/**
 * The answers of an admin route that changes credentials: the proof rule's (403 for any API key, or for a session
 * that did not sign in recently when no `current_password` came; 429 once wrong proofs reached the login limit) next
 * to the 403 of a caller who is no admin and the 422 of a wrong `current_password`. The route's own errors come in
 * `others`: one decorator per status keeps every cause of that status.
 */
export const AdminProofErrors = (...others: ErrorEntry[]): MethodDecorator =>
  applyDecorators(
    ProofRequiredErrors('vanguard', { recentLogin: true }),
    LaravelErrors(CREDENTIAL_ERRORS.NOT_ADMIN, CREDENTIAL_ERRORS.CURRENT_PASSWORD_INCORRECT, ...others),
  );
