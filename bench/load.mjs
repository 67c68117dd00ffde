// The load generator, forked by bench/run.mjs so that it never shares an event loop with the measuring process.
// It gets one job over IPC, runs autocannon for the warm-up (discarded), says `measuring`, runs the measured
// period and sends the result back. Every request takes the next credential (and body) from the job's lists, so the
// load rotates across many users. The refresh job chains each session's tokens instead (a spent refresh token
// revokes its session): see refreshChain.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

/** Request bodies by job kind; `i` is the request's sequence number. */
const BODIES = {
  none: () => undefined,
  details: (i) => JSON.stringify({ first_name: `Bench${i % 997}`, address: `${i % 9973} Bench Street` }),
  login: (i, job) => JSON.stringify({ username: job.usernames[i % job.usernames.length], password: job.password }),
  file: (_i, job) => job.fileBody,
  junk: (_i, job) => (job.junkBody ??= junkJson(1024 * 1024)),
  refresh: () => undefined, // built by refreshChain
};

/**
 * Refresh tokens rotate: a session's next refresh must present the token its last refresh answered, and never two
 * at once. Sessions wait in a queue (first the seeded tokens); a request takes the next one and its answer puts it
 * back with the new token. autocannon keeps a request's context from setupRequest to onResponse. The queue outlives
 * the warm-up run, so the measured run goes on from where it stopped; a session whose answer was not a new pair
 * (or was cut off at the end of a run) leaves the queue.
 */
let refreshQueue;
const refreshChain = {
  setup(job, request, context) {
    refreshQueue ??= job.refreshTokens.map((token) => ({ token }));
    const session = refreshQueue.shift();
    if (!session) throw new Error('every seeded session was used up or refused');
    context.session = session;
    request.body = JSON.stringify({ refresh_token: session.token });
  },
  onResponse(status, body, context) {
    if (status !== 200) return;
    context.session.token = JSON.parse(body).refresh_token;
    refreshQueue.push(context.session);
  },
};

/** A JSON object of about `bytes` with thousands of short keys: the most work per byte for a parser and a transformer. */
function junkJson(bytes) {
  const entries = [];
  let size = 2;
  for (let i = 0; size < bytes; i++) {
    const entry = `"k${i}":[{"a":${i}}]`;
    entries.push(entry);
    size += entry.length + 1;
  }
  return `{${entries.join(',')}}`;
}

function run(job, seconds) {
  let i = 0;
  const body = BODIES[job.body];
  const chained = job.body === 'refresh';
  const headers = job.contentType ? { 'content-type': job.contentType } : {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: job.method,
            path: job.path,
            setupRequest: (request, context) => {
              const n = i++;
              const credential = job.credentials?.[n % job.credentials.length];
              // A browser session's credential is a whole `Cookie` header; every other one a bearer credential.
              const credentialHeader = job.credentialHeader === 'cookie' ? { cookie: credential } : { authorization: `Bearer ${credential}` };
              request.headers = credential ? { ...headers, ...credentialHeader } : { ...headers };
              if (chained) {
                refreshChain.setup(job, request, context);
                return request;
              }
              const payload = body(n, job);
              if (payload !== undefined) request.body = payload;
              return request;
            },
            ...(chained ? { onResponse: refreshChain.onResponse } : {}),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    process.once('SIGTERM', () => instance.stop());
  });
}

process.once('message', async (job) => {
  try {
    if (job.filePath) job.fileBody = readFileSync(job.filePath);
    if (job.warmupSeconds > 0) await run(job, job.warmupSeconds);
    process.send({ type: 'measuring' });
    const result = await run(job, job.durationSeconds);
    process.send({
      type: 'result',
      result: {
        requestsTotal: result.requests.total,
        requestsPerSecond: result.requests.total / result.duration,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        duration: result.duration,
        statusCodes: result.statusCodeStats,
      },
    });
  } catch (error) {
    process.send({ type: 'error', message: String(error?.stack ?? error) });
  }
});
