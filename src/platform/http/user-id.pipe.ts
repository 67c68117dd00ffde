import { applyDecorators, Injectable, Param, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { DomainError } from '../errors/domain-error.js';
import { PLATFORM_ERRORS } from '../errors/errors.js';

/** A users.id (PostgreSQL integer): 1 to 2147483647. */
const USER_ID = /^[1-9]\d{0,9}$/;
const USER_ID_MAX = 2_147_483_647;

/**
 * `{id}` of the admin user routes. Anything that is not a user id names no user: 404, as for an unknown id (a path
 * that cannot exist is not a validation error of the request body).
 */
@Injectable()
export class UserIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const id = USER_ID.test(value) ? Number(value) : NaN;
    if (!(id <= USER_ID_MAX)) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    return id;
  }
}

/** The target user's id from the path. */
export const UserIdParam = (): ParameterDecorator => Param('id', UserIdPipe);

/** Documents `{id}` of the admin user routes. */
export const ApiUserIdParam = (): MethodDecorator & ClassDecorator =>
  applyDecorators(ApiParam({ name: 'id', type: 'integer', description: 'The user id; anything else answers 404.', example: 123 }));
