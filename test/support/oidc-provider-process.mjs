// An OpenID Connect provider on loopback (oauth2-mock-server) in a process of its own: jose's keys cross jest's
// realm boundary badly, and a separate process is what a real provider is anyway. The test steers it through a
// control endpoint on a second port: who signs in next, and how the next ID token or token answer is spoilt.
import { createServer } from 'node:http';
import { Events, OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(Number(process.argv[2] ?? 0), '127.0.0.1');

let identity = { sub: 'nobody' };
/** Changes for the next ID token: `{ payload: {...}, header: {...} }`, each merged in. */
let nextIdToken = null;
/** How to spoil the next token answer: `alg-none`, `forged-signature`, or `{ status, body }`. */
let nextResponse = null;

server.service.on(Events.BeforeTokenSigning, (token) => {
  Object.assign(token.payload, identity);
  if (token.payload.nonce !== undefined && nextIdToken) {
    const change = nextIdToken;
    nextIdToken = null;
    Object.assign(token.payload, change.payload ?? {});
    Object.assign(token.header, change.header ?? {});
    for (const name of change.remove ?? []) delete token.payload[name];
  }
});

server.service.on(Events.BeforeResponse, (response) => {
  const spoil = nextResponse;
  nextResponse = null;
  if (!spoil) return;
  if (spoil === 'alg-none' || spoil === 'forged-signature') {
    const [header, payload, signature] = response.body.id_token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    if (spoil === 'alg-none') {
      response.body.id_token = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    } else {
      claims.sub = `${claims.sub}-forged`;
      response.body.id_token = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    }
    return;
  }
  response.statusCode = spoil.status;
  response.body = spoil.body;
});

const control = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const command = body ? JSON.parse(body) : {};
    if (req.url === '/identity') identity = command;
    else if (req.url === '/next-id-token') nextIdToken = command;
    else if (req.url === '/next-response') nextResponse = command.spoil;
    res.writeHead(204);
    res.end();
  });
});
control.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ issuer: server.issuer.url, control: `http://127.0.0.1:${control.address().port}` })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
