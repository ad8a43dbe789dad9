// Three projects: `unit` needs nothing running; `integration` brings up (or
// reuses) the Temporal dev server and a fresh test database in globalSetup;
// `cluster` (test/integration/cluster.*) runs on the real Temporal server on Postgres.
const fs = require('node:fs');
const path = require('node:path');

// Jest on Node 20 cannot require() ES modules, and some dependencies now ship
// ESM only (e.g. cookie, used by fastify.inject). Such packages are compiled
// to CommonJS by swc like our own code; every other package is left alone.
function esmOnlyPackages(dir, found = new Set()) {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const pkgDir = path.join(dir, entry);
    if (entry.startsWith('@')) {
      esmOnlyPackages(pkgDir, found);
      continue;
    }
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
      if (pkg.type === 'module') found.add(pkg.name.replace(/[.+]/g, '\\$&'));
    } catch {
      // not a package
    }
    esmOnlyPackages(path.join(pkgDir, 'node_modules'), found);
  }
  return found;
}

const esm = [...esmOnlyPackages(path.join(__dirname, 'node_modules'))].join('|');
const swc = ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }];
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc, '^.+\\.m?js$': swc },
  // Ignore node_modules except the ESM packages above (matched on the innermost package).
  transformIgnorePatterns: [`/node_modules/(?!(${esm})/)(@[^/]+/)?[^/]+/(?!node_modules/)`],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  // A leaked handle must not hang CI for its whole budget; run with --detectOpenHandles to find one.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/setup/summaryReporter.js'],
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/cluster\\.'],
      globalSetup: '<rootDir>/test/setup/globalSetup.ts',
      globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
    },
    {
      // The same kind of tests against the real Temporal server on Postgres (temporal/server.ts).
      ...shared,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/integration/cluster.*.test.ts'],
      setupFiles: ['<rootDir>/test/setup/clusterSetupFile.ts'],
      globalSetup: '<rootDir>/test/setup/clusterGlobalSetup.ts',
      globalTeardown: '<rootDir>/test/setup/clusterGlobalTeardown.ts',
    },
  ],
};
