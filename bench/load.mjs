// The load generator, forked by bench/run.mjs so that it never shares an event loop with the measuring process.
// It gets one job over IPC, runs autocannon for the warm-up (discarded), says `measuring`, runs the measured
// period and sends the result back. Every request takes the next credential (and body) from the job's lists, so the
// load rotates across many users.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

/** Request bodies by job kind; `i` is the request's sequence number. */
const BODIES = {
  none: () => undefined,
  details: (i) => JSON.stringify({ first_name: `Bench${i % 997}`, address: `${i % 9973} Bench Street` }),
  login: (i, job) => JSON.stringify({ username: job.usernames[i % job.usernames.length], password: job.password }),
  file: (_i, job) => job.fileBody,
  junk: (_i, job) => (job.junkBody ??= junkJson(1024 * 1024)),
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
            setupRequest: (request) => {
              const n = i++;
              const credential = job.credentials?.[n % job.credentials.length];
              request.headers = credential ? { ...headers, authorization: `Bearer ${credential}` } : { ...headers };
              const payload = body(n, job);
              if (payload !== undefined) request.body = payload;
              return request;
            },
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
