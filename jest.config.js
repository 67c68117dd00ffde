/**
 * Tessera is ESM (NestJS 12 ships ESM only), so jest runs with --experimental-vm-modules and ts-jest in ESM mode.
 * Three tiers: unit tests beside the code; medium tests (test/medium: services on a real migrated database, no
 * HTTP) where a rule reads clearer without a request around it; e2e tests against real PostgreSQL and the real HTTP app.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', useESM: true }];
const common = {
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  // @tessera/client is the package in clients/typescript, taken from its source (tsconfig.json maps it the same way).
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^@tessera/client$': '<rootDir>/clients/typescript/src/index.ts' },
  transform: { '^.+\\.ts$': tsJest },
};

export default {
  // A global option: jest ignores it inside a project.
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'medium',
      testMatch: ['<rootDir>/test/medium/**/*.medium-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/test-env.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/test-env.ts'],
    },
  ],
};
