/**
 * Three tiers, each a Jest project (npm run test:unit, test:e2e, test:release; npm test runs all three):
 * - unit: in process, against the in-process emulator; no bundle, no child process;
 * - e2e: the bundle as the runner and a shell run it, on each Node version;
 * - release: the repository's workflows, examples, README recipes and release script.
 * Only the tiers that run the bundle build it (global setup, once per state of the sources).
 */
const shared = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  }
}

const tier = (name, bundle) => ({
  ...shared,
  displayName: name,
  roots: [`<rootDir>/__tests__/${name}`],
  testMatch: ['**/*.test.ts'],
  ...(bundle ? { globalSetup: '<rootDir>/__tests__/global-setup.mjs' } : {})
})

/** @type {import('jest').Config} */
export default {
  projects: [tier('unit', false), tier('e2e', true), tier('release', true)],
  testTimeout: 30000
}
