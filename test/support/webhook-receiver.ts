import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One POST the receiver got, with what `standardwebhooks` made of its signature. */
export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
  /** The parsed body: `{type, timestamp, data}`. */
  event: { type: string; timestamp: string; data: Record<string, unknown> };
  /** When it arrived (epoch ms). */
  receivedAt: number;
  /** The secrets (of those the receiver was given) whose verification by `standardwebhooks` passed. */
  verifiedWith: string[];
}

/** How the receiver answers a request: a status and headers, or never (the request hangs until the receiver closes). */
export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  deliveries: ReceivedDelivery[];
  /** Secrets to verify each delivery with (verification by the `standardwebhooks` package, which Tessera did not write). */
  secrets: Set<string>;
  /** How the next requests are answered (200 by default); `answer` may look at the request. */
  answerWith(answer: (path: string) => Answer): void;
  waitFor(predicate: (delivery: ReceivedDelivery) => boolean, timeoutMs?: number): Promise<ReceivedDelivery>;
  close(): Promise<void>;
}

/** A real HTTP receiver on loopback that records every delivery and verifies it with `standardwebhooks`. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries: ReceivedDelivery[] = [];
  const waiters = new Set<(delivery: ReceivedDelivery) => void>();
  const secrets = new Set<string>();
  let answer: (path: string) => Answer = () => ({ status: 200 });
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = req.headers;
      const verifiedWith = [...secrets].filter((secret) => {
        try {
          new Webhook(secret).verify(body, {
            'webhook-id': String(headers['webhook-id']),
            'webhook-timestamp': String(headers['webhook-timestamp']),
            'webhook-signature': String(headers['webhook-signature']),
          });
          return true;
        } catch {
          return false;
        }
      });
      let event: ReceivedDelivery['event'];
      try {
        event = JSON.parse(body) as ReceivedDelivery['event'];
      } catch {
        event = { type: '(unparsable)', timestamp: '', data: {} };
      }
      const delivery: ReceivedDelivery = { path: req.url ?? '/', headers, body, event, receivedAt: Date.now(), verifiedWith };
      deliveries.push(delivery);
      for (const waiter of waiters) waiter(delivery);
      const reply = answer(req.url ?? '/');
      if (reply === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(reply.status, reply.headers ?? {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    secrets,
    answerWith(next) {
      answer = next;
    },
    waitFor(predicate, timeoutMs = 10_000) {
      const found = deliveries.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<ReceivedDelivery>((resolve, reject) => {
        const waiter = (delivery: ReceivedDelivery) => {
          if (!predicate(delivery)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(delivery);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`webhook receiver: no matching delivery within ${timeoutMs} ms (received ${deliveries.length})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
