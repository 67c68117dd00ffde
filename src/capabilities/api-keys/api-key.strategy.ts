import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import type { AuthContext } from '../../core/users/auth-context.js';
import { clientInfoOf } from '../../core/credentials/auth.decorators.js';
import { isApiKeyCredential } from './api-key-tokens.js';
import { ApiKeysService } from './api-keys.service.js';

type Verify = (request: Request, credential: string, done: (error: unknown, auth?: AuthContext) => void) => void;

export const API_KEY_STRATEGY = 'api-key';

const BEARER_HEADER = /^Bearer +(\S+) *$/i;

/** The credential of an `Authorization: Bearer …` header, if the header has that form. */
export function bearerCredentialOf(request: Request): string | undefined {
  return BEARER_HEADER.exec(request.headers.authorization ?? '')?.[1];
}

/** Passport strategy for `Authorization: Bearer ptlc_…`; anything else, or a key that does not check out, fails. */
class BearerApiKeyStrategy extends Strategy {
  name = API_KEY_STRATEGY;

  constructor(private readonly verify: Verify) {
    super();
  }

  override authenticate(request: Request): void {
    const credential = bearerCredentialOf(request);
    if (credential === undefined || !isApiKeyCredential(credential)) {
      this.fail(401);
      return;
    }
    this.verify(request, credential, (error, auth) => {
      if (error) this.error(error as Error);
      else if (auth) this.success(auth);
      else this.fail(401);
    });
  }
}

/** Registers the `api-key` strategy the global bearer guard runs for `ptlc_` credentials. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(BearerApiKeyStrategy, API_KEY_STRATEGY) {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  validate(request: Request, credential: string): Promise<AuthContext> {
    return this.apiKeys.authenticate(credential, clientInfoOf(request));
  }
}
