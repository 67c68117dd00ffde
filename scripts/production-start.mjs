// How a checkout starts in production: its `npm run start:prod`, read from its package.json, so the bench and the
// soak test measure the node flags and malloc settings the Dockerfile and `npm start` use (src/production-start.spec.ts
// checks that those agree).
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `start:prod` of the checkout in `dir`, `[VAR=value …] [exec] node [flags …] <entry>`, split into the environment it
 * sets and the arguments after `node` (the entry last).
 * @param {string} dir
 * @returns {{ script: string, env: Record<string, string>, args: string[] }}
 */
export function productionStart(dir) {
  const script = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).scripts['start:prod'];
  const words = script.trim().split(/\s+/).filter((word) => word !== 'exec');
  const env = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name, ...value] = words.shift().split('=');
    env[name] = value.join('=');
  }
  if (words.shift() !== 'node') throw new Error(`start:prod is not a node command: ${script}`);
  return { script, env, args: words };
}
