import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';

/** Longer values are no device token Tessera issued (those are 43 characters): ignored unread. */
const MAX_DEVICE_TOKEN_LENGTH = 100;

/** The `X-Device-Token` header of a sign-in request; undefined when absent or not one a sign-in could have answered. */
export const CurrentDeviceToken = createParamDecorator((_data: unknown, ctx: ExecutionContext): string | undefined => {
  const value = ctx.switchToHttp().getRequest<Request>().headers['x-device-token'];
  return typeof value === 'string' && value.length <= MAX_DEVICE_TOKEN_LENGTH ? value : undefined;
});

/** Documents the optional `X-Device-Token` request header of a sign-in route. */
export const AcceptsDeviceToken = (): MethodDecorator =>
  applyDecorators(
    ApiHeader({
      name: 'X-Device-Token',
      required: false,
      description:
        'The `device_token` an earlier sign-in of this account on this device answered. With it, the device is judged ' +
        'on its own failed sign-ins only: a lock-out that failures from elsewhere set on the account does not stop it. ' +
        'Another account\'s, an expired or an unknown token is ignored.',
      schema: { type: 'string', maxLength: MAX_DEVICE_TOKEN_LENGTH, example: 'b3pUq0Xn2v9yQ7sJc4Lk1mR8tW5zA6dE0fG3hI9jK2o' },
    }),
  );
