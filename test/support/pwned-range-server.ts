import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RangeRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

export type RangeMode = 'answer' | 'hang' | 'error';

/**
 * A real HTTP server speaking HaveIBeenPwned's range protocol (`GET /range/{5 hex}` → `SUFFIX:COUNT` lines), for the
 * breached-password tests. It lists `breached` with their counts, `padded` with count 0 (as `Add-Padding: true`
 * answers do), and random padding lines; `mode` makes it hang or fail.
 */
export class PwnedRangeServer {
  readonly requests: RangeRequest[] = [];
  mode: RangeMode = 'answer';
  private readonly counts = new Map<string, number>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<PwnedRangeServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const range = new PwnedRangeServer(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => range.handle(req.url ?? '', req.headers, res));
    return range;
  }

  /** Lists the password with this count (0: a padding line). */
  list(password: string, count: number): void {
    this.counts.set(sha1(password), count);
  }

  private handle(url: string, headers: IncomingHttpHeaders, res: ServerResponse): void {
    this.requests.push({ url, headers });
    if (this.mode === 'hang') {
      this.hanging.add(res);
      return;
    }
    const prefix = /^\/range\/([0-9A-F]{5})$/.exec(url)?.[1];
    if (this.mode === 'error' || !prefix) {
      res.writeHead(this.mode === 'error' ? 503 : 400).end();
      return;
    }
    const lines = [...this.counts].filter(([hash]) => hash.startsWith(prefix)).map(([hash, count]) => `${hash.slice(5)}:${count}`);
    for (let i = 0; i < 20; i++) lines.push(`${randomBytes(18).toString('hex').slice(0, 35).toUpperCase()}:0`);
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(lines.sort().join('\r\n'));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function sha1(password: string): string {
  return createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
}
