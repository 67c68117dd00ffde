/**
 * The layers of src/ and the order inside each, checked in CI (`npm run lint:deps`). A folder may import only from
 * the folders before it in LAYERS (its own layer's earlier folders included), so imports point down and no two
 * folders can form a cycle. Type-only imports count too: a type is a dependency for a reader.
 *
 *   platform  → core → dialects → capabilities → app (assembly: app.module, app.factory, the OpenAPI document)
 */
const LAYERS = [
  // platform: plumbing that knows nothing of accounts
  'platform/config', 'platform/crypto', 'platform/logging', 'platform/errors', 'platform/format', 'platform/openapi', 'platform/validation',
  'platform/http', 'platform/concurrency', 'platform/database', 'platform/outbox', 'platform/rate-limit', 'platform/mail', 'platform/sms',
  // core: the account and the rules every capability shares
  'core/users', 'core/events', 'core/lifecycle', 'core/activity', 'core/credentials',
  // dialects: the three families' response and error shapes
  'dialects',
  // capabilities, each owning its entities, routes, DTOs and errors; later ones may use earlier ones
  'capabilities/countries', 'capabilities/health', 'capabilities/sessions', 'capabilities/avatar', 'capabilities/api-keys',
  'capabilities/account-recovery', 'capabilities/accounts', 'capabilities/organizations', 'capabilities/auth', 'capabilities/passkeys',
  'capabilities/identities', 'capabilities/two-factor',
  'capabilities/account-data', 'capabilities/profile', 'capabilities/admin', 'capabilities/webhooks',
  // assembly
  'app',
];

const escape = (folder) => folder.replace(/[-/]/g, (c) => `\\${c}`);
const upward = LAYERS.map((folder, index) => ({
  name: `layer-${folder.replace('/', '-')}`,
  comment: `${folder} may import only what comes before it in .dependency-cruiser.cjs LAYERS`,
  severity: 'error',
  from: { path: `^src/${escape(folder)}/` },
  to: { path: `^src/(${LAYERS.slice(index + 1).map(escape).join('|')})/` },
})).filter((rule) => !rule.to.path.endsWith('()/'));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'unlisted-folder',
      comment: 'every folder of src/ has its place in LAYERS',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: `^src/(?!(${LAYERS.map(escape).join('|')})/|[^/]+\\.ts$)` },
    },
    { name: 'no-circular', comment: 'no module imports itself through others', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
