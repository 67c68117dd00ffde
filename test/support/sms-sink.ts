/**
 * A real loopback HTTP server standing in for the SMS gateway: it records every POSTed JSON body and can be
 * told to fail (an HTTP status), to never answer ('timeout'), or be closed (gateway down).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSms {
  to: string;
  message: string;
  /** The whole parsed body, to check that nothing else was sent. */
  body: unknown;
  contentType: string | undefined;
}

export interface SmsSink {
  /** `http://127.0.0.1:PORT/sms`, ready for SMS_HTTP_URL. */
  url: string;
  messages: ReceivedSms[];
  /** Answer the next requests with this status (`null`: 200 again; `'timeout'`: never answer). Failed requests are not recorded. */
  failWith(mode: number | 'timeout' | null): void;
  close(): Promise<void>;
}

export async function startSmsSink(): Promise<SmsSink> {
  const messages: ReceivedSms[] = [];
  let mode: number | 'timeout' | null = null;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Left unanswered; close() ends the connection.
      if (mode === 'timeout') return;
      if (mode !== null) {
        res.writeHead(mode, { 'content-type': 'application/json' }).end('{"error":"sink told to fail"}');
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      let body: { to?: unknown; message?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        res.writeHead(400).end();
        return;
      }
      messages.push({ to: String(body.to), message: String(body.message), body, contentType: req.headers['content-type'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"queued"}');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/sms`,
    messages,
    failWith(next) {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
