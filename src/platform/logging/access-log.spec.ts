import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createAccessLog, REDACTED_PATHS } from './logger.js';

/** A logger configured like the root one, writing its JSON lines into `lines`. */
function capture(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink), lines };
}

function exchange(url: string, headers: Record<string, string> = {}): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = url;
  req.headers = headers;
  return { req, res: new ServerResponse(req) };
}

describe('access log', () => {
  it('writes one line when the response is done, with the request id it echoed and no credential', async () => {
    const { logger, lines } = capture();
    const accessLog = createAccessLog(logger);
    const server = createServer((req, res) => {
      accessLog(req, res);
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/api/me`, { headers: { authorization: 'Bearer secret-token' } });
      await response.text();
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 30, msg: 'request completed', req: { id, method: 'GET', url: '/api/me' }, res: { statusCode: 200 } });
      expect(typeof lines[0].responseTime).toBe('number');
      expect(JSON.stringify(lines[0])).not.toContain('secret-token');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says so when the client went away before the response', () => {
    const { logger, lines } = capture();
    const { req, res } = exchange('/api/me');
    createAccessLog(logger)(req, res);
    res.emit('close');
    expect(lines[0]).toMatchObject({ level: 30, msg: 'request aborted', res: { statusCode: null } });
  });

  it('keeps a sane X-Request-Id and replaces anything else', () => {
    const { logger } = capture();
    const sane = exchange('/', { 'x-request-id': 'edge-42.a_b' });
    createAccessLog(logger)(sane.req, sane.res);
    expect(sane.res.getHeader('X-Request-Id')).toBe('edge-42.a_b');
    const hostile = exchange('/', { 'x-request-id': 'a"}\n{"level":60' });
    createAccessLog(logger)(hostile.req, hostile.res);
    expect(hostile.res.getHeader('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('masks tokens, codes and e-mail addresses in the query string', () => {
    const { logger, lines } = capture();
    const { req, res } = exchange('/api/email/verify?token=abc123&email=a%40b.c&page=2&code=654321');
    createAccessLog(logger)(req, res);
    res.emit('close');
    expect((lines[0].req as { url: string }).url).toBe('/api/email/verify?token=[redacted]&email=[redacted]&page=2&code=[redacted]');
  });

  it('logs a server error at error level', () => {
    const { logger, lines } = capture();
    const { req, res } = exchange('/api/me');
    createAccessLog(logger)(req, res);
    res.statusCode = 503;
    res.emit('close');
    expect(lines[0]).toMatchObject({ level: 50, res: { statusCode: null } });
  });
});
