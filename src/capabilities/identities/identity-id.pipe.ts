import { applyDecorators, Injectable, Param } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { UserIdPipe } from '../../platform/http/user-id.pipe.js';

/** `{identityId}`: an identities.id is a PostgreSQL integer like users.id, so the same rule applies (else 404). */
@Injectable()
export class IdentityIdPipe extends UserIdPipe {}

export const IdentityIdParam = (): ParameterDecorator => Param('identityId', IdentityIdPipe);

export const ApiIdentityIdParam = (): MethodDecorator & ClassDecorator =>
  applyDecorators(ApiParam({ name: 'identityId', type: 'integer', description: 'The linked identity’s id; anything else answers 404.', example: 3 }));
