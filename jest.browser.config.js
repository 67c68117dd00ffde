/**
 * `npm run test:browser`: tests whose client is a real browser (Debian's chromium driven by playwright-core), apart
 * from `npm test` so that the suite stays runnable on a machine without Chromium. Screenshots go to
 * test/browser/screenshots/ (CI keeps the folder).
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', useESM: true }];

export default {
  testTimeout: 120000,
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/test-env.ts'],
  // One browser at a time on a 2-core machine.
  maxWorkers: 1,
};
