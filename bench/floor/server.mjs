// The framework floor for `GET /api/me`: the same JSON body sent from a fixed object (no token, no database, no
// logging, no security headers) by a bare node:http server, a bare Express 5 app and a bare Nest 12 app on the
// Express platform with its default body parsers. What a framework costs before the route does any work; the bench
// sets it beside the ceiling so the Tessera/ceiling ratio can be read against what the stack itself allows.
// Environment: PORT, FLOOR_KIND (node-http | node-http-swapped-prototypes | express | nest), FLOOR_BODY (the JSON
// to answer with).
import http from 'node:http';

const port = Number(process.env.PORT ?? 3200);
const kind = process.env.FLOOR_KIND ?? 'node-http';
const body = JSON.parse(process.env.FLOOR_BODY ?? '{}');
const listening = () => process.send?.({ type: 'listening', port });

if (kind === 'node-http' || kind === 'node-http-swapped-prototypes') {
  // Express gives every request and response object a new prototype (its `app.request` / `app.response`, which
  // inherit from Node's); this variant does only that, to show what it costs Node's own HTTP code.
  const requestPrototype = Object.create(http.IncomingMessage.prototype);
  const responsePrototype = Object.create(http.ServerResponse.prototype);
  http
    .createServer((req, res) => {
      if (kind === 'node-http-swapped-prototypes') {
        Object.setPrototypeOf(req, requestPrototype);
        Object.setPrototypeOf(res, responsePrototype);
      }
      const text = JSON.stringify(body);
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    })
    .listen(port, '127.0.0.1', listening);
} else if (kind === 'express') {
  const { default: express } = await import('express');
  const app = express();
  app.get('/api/me', (_req, res) => res.json(body));
  app.listen(port, '127.0.0.1', listening);
} else if (kind === 'nest') {
  await import('reflect-metadata');
  const { Controller, Get, Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  // Plain JavaScript: the decorators applied as TypeScript would emit them.
  class MeController {
    me() {
      return body;
    }
  }
  Reflect.decorate([Get('me')], MeController.prototype, 'me', Object.getOwnPropertyDescriptor(MeController.prototype, 'me'));
  Reflect.decorate([Controller()], MeController);
  class FloorModule {}
  Reflect.decorate([Module({ controllers: [MeController] })], FloorModule);
  const app = await NestFactory.create(FloorModule, { logger: false });
  app.setGlobalPrefix('api');
  await app.listen(port, '127.0.0.1');
  listening();
} else {
  throw new Error(`unknown FLOOR_KIND ${kind}`);
}

process.on('SIGTERM', () => process.exit(0));
