// The breaking-change check (`npm run openapi:breaking`, run in CI): compares the committed document
// (openapi/tessera.openapi.json) with the one committed at the last release tag (`v<version>`, the newest reachable
// from HEAD) using Optic's breaking-change rules (`optic diff --check`, offline), and fails when an operation
// changed in a breaking way without an announcement: its `METHOD /path` named under `### Breaking` in the
// `## Unreleased` section of CHANGELOG.md (docs/api/README.md#versions-and-breaking-changes).
//
// Usage: node scripts/openapi-breaking-check.mjs [--base <file>] [--head <file>] [--changelog <file>]
// (--base instead of the tag's document, for trying the check on a hand-made document).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const DOCUMENT = 'openapi/tessera.openapi.json';
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : args[index + 1];
};
const head = option('--head', DOCUMENT);
const changelogFile = option('--changelog', 'CHANGELOG.md');
const work = mkdtempSync(path.join(tmpdir(), 'tessera-breaking-'));

const git = (...gitArgs) => execFileSync('git', gitArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The base document's file and its name, or undefined when there is no release to compare with. */
function baseDocument() {
  const given = option('--base');
  if (given) return { file: given, name: given };
  let tag;
  try {
    tag = git('describe', '--tags', '--abbrev=0', '--match', 'v[0-9]*', 'HEAD');
  } catch {
    return undefined;
  }
  let text;
  try {
    text = git('show', `${tag}:${DOCUMENT}`);
  } catch {
    console.log(`release ${tag} has no ${DOCUMENT}: nothing to compare with`);
    return undefined;
  }
  const file = path.join(work, `${tag}.openapi.json`);
  writeFileSync(file, text);
  return { file, name: `${tag}:${DOCUMENT}` };
}

/** `METHOD /path` of each operation Optic reports as broken (`x GET /api/me:` lines of its report). */
export function brokenOperations(report) {
  const operations = new Set();
  for (const line of report.split('\n')) {
    const match = /^x (GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) (\S+):/.exec(line);
    if (match) operations.add(`${match[1]} ${match[2]}`);
  }
  return [...operations];
}

/** The text of `### Breaking` under `## Unreleased` in the changelog ('' when there is none). */
export function announcedBreaking(changelog) {
  const unreleased = /^## Unreleased[^\n]*\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(changelog)?.[1] ?? '';
  return /^### Breaking[^\n]*\n([\s\S]*?)(?=^### |(?![\s\S]))/m.exec(unreleased)?.[1] ?? '';
}

function main() {
  const base = baseDocument();
  if (!base) {
    console.log('no release tag (v<version>) with a committed document is reachable from HEAD: no breaking-change check');
    return 0;
  }
  // Optic runs offline; its telemetry is off.
  const optic = spawnSync(path.join('node_modules', '.bin', 'optic'), ['diff', base.file, head, '--check'], {
    encoding: 'utf8',
    env: { ...process.env, OPTIC_TELEMETRY_LEVEL: 'off', NO_COLOR: '1', FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
  });
  // eslint-disable-next-line no-control-regex
  const report = `${optic.stdout}${optic.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
  if (optic.error) throw optic.error;
  const broken = brokenOperations(report);
  if (optic.status === 0 && broken.length === 0) {
    console.log(`no breaking change since ${base.name}`);
    return 0;
  }
  if (broken.length === 0) {
    process.stderr.write(report);
    console.error(`optic failed (exit ${optic.status}) without naming a broken operation`);
    return 1;
  }
  let announcements = '';
  try {
    announcements = announcedBreaking(readFileSync(changelogFile, 'utf8'));
  } catch {
    // No changelog: nothing is announced.
  }
  const unannounced = broken.filter((operation) => !announcements.includes(operation));
  console.log(`breaking changes since ${base.name}: ${broken.join(', ')}`);
  if (unannounced.length === 0) {
    console.log(`each is announced under "## Unreleased" → "### Breaking" in ${changelogFile}`);
    return 0;
  }
  process.stderr.write(report);
  console.error(
    `\nunannounced breaking changes: ${unannounced.join(', ')}.\n` +
      `Either keep the operations compatible, or name each (\`METHOD /path\`) under "### Breaking" in the ` +
      `"## Unreleased" section of ${changelogFile}, with what clients must change (docs/api/README.md#versions-and-breaking-changes).`,
  );
  return 1;
}

try {
  process.exitCode = main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
