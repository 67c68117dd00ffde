import { applyDecorators, Injectable, Param } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { UserIdPipe } from '../../platform/http/user-id.pipe.js';

/** `{passkeyId}`: a passkeys.id is a PostgreSQL integer like users.id, so the same rule applies (else 404). */
@Injectable()
export class PasskeyIdPipe extends UserIdPipe {}

export const PasskeyIdParam = (): ParameterDecorator => Param('passkeyId', PasskeyIdPipe);

export const ApiPasskeyIdParam = (): MethodDecorator & ClassDecorator =>
  applyDecorators(ApiParam({ name: 'passkeyId', type: 'integer', description: 'The passkey id; anything else answers 404.', example: 7 }));
