// Sums the counts the e2e suite's Prism contract check wrote (test/support/prism-contract.ts, one JSON line per
// closed app, OPENAPI_CONTRACT_STATS=<file>) and prints exchanges checked, request violations by kind (the suite's
// deliberate bad requests) and response violations by kind. Exits 1 when any response violation was recorded or
// nothing was checked. Usage: node scripts/contract-report.mjs <stats.jsonl> [--kinds]
import { readFileSync } from 'node:fs';

const [file, flag] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: contract-report.mjs <stats.jsonl> [--kinds]\n');
  process.exit(2);
}
const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
const total = { exchanges: 0, unrouted: 0, responsesChecked: 0, requestViolations: {}, responseViolations: {} };
for (const line of lines) {
  for (const key of ['exchanges', 'unrouted', 'responsesChecked']) total[key] += line[key];
  for (const key of ['requestViolations', 'responseViolations']) {
    for (const [kind, count] of Object.entries(line[key])) total[key][kind] = (total[key][kind] ?? 0) + count;
  }
}

const sum = (tally) => Object.values(tally).reduce((a, b) => a + b, 0);
/** The keyword Prism names at the end of a kind (`type`, `pattern`, `401`…), for the short summary. */
const byKeyword = (tally) => {
  const keywords = {};
  for (const [kind, count] of Object.entries(tally)) {
    const keyword = kind.split(' ').pop();
    keywords[keyword] = (keywords[keyword] ?? 0) + count;
  }
  return Object.entries(keywords).sort((a, b) => b[1] - a[1]).map(([keyword, count]) => `${keyword} ${count}`).join(', ');
};
const list = (tally) =>
  Object.entries(tally)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, count]) => `  ${String(count).padStart(5)}  ${kind}`)
    .join('\n');

const responseViolations = sum(total.responseViolations);
const requestViolations = sum(total.requestViolations);
console.log(
  `Prism contract check: ${total.exchanges} exchanges in ${lines.length} apps; ${total.responsesChecked} responses checked, ` +
    `${total.unrouted} requests outside the document (not judged)`,
);
console.log(`request violations (sent on purpose by the refusal tests): ${requestViolations} (${byKeyword(total.requestViolations) || 'none'})`);
console.log(`response violations: ${responseViolations}${responseViolations ? ` (${byKeyword(total.responseViolations)})` : ''}`);
if (responseViolations > 0) console.log(list(total.responseViolations));
if (flag === '--kinds' && requestViolations > 0) console.log(`request violations by kind:\n${list(total.requestViolations)}`);
if (total.responsesChecked === 0) {
  console.error('no response was checked: is the e2e suite writing OPENAPI_CONTRACT_STATS?');
  process.exit(1);
}
process.exit(responseViolations > 0 ? 1 : 0);
