import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import type { AuthContext } from '../common/auth/auth-context.js';
import { clientInfoOf } from '../common/auth/auth.decorators.js';
import { isApiKeyCredential } from './api-key-tokens.js';
import { ApiKeysService } from './api-keys.service.js';

type Verify = (request: Request, credential: string, done: (error: unknown, auth?: AuthContext) => void) => void;

const BEARER_HEADER = /^Bearer +(\S+) *$/i;

/**
 * Passport strategy for `Authorization: Bearer ptlc_…`. Anything that is not an API key is a `fail`, so the guard
 * goes on to the JWT strategy; an API key that does not check out is an `error`, which ends authentication there.
 */
class BearerApiKeyStrategy extends Strategy {
  name = 'api-key';

  constructor(private readonly verify: Verify) {
    super();
  }

  override authenticate(request: Request): void {
    const credential = BEARER_HEADER.exec(request.headers.authorization ?? '')?.[1];
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

/** Registers the `api-key` strategy the global bearer guard tries before the JWT one. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(BearerApiKeyStrategy, 'api-key') {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  validate(request: Request, credential: string): Promise<AuthContext> {
    return this.apiKeys.authenticate(credential, clientInfoOf(request));
  }
}
