// Brings up what the `cluster` tests need, once per run: the real Temporal server v1.29.1 on
// Postgres with its UI (temporal/server.ts; both of its databases recreated, so no workflow of
// an earlier run answers), a freshly created and seeded app database and an empty Redis db.
// The server is a child of this process; globalTeardown stops it.
import path from 'node:path';
import { Redis } from 'ioredis';
import { ensureDatabase, runMigrations } from '../../db/admin';
import { createDb } from '../../db/client';
import { defaultDataDir } from '../../db/seed/dataDir';
import { importTimetable } from '../../db/seed/import';
import { ensurePostgresServer, ensureServerBinaries } from '../../temporal/server';
import { DATABASES, PORTS } from '../../temporal/serverConfig';
import { CLUSTER_TEST_ENV } from './clusterEnv';

const repoRoot = path.resolve(__dirname, '..', '..');

export default async function clusterGlobalSetup(): Promise<void> {
  const log = (m: string) => process.stderr.write(`[cluster setup] ${m}\n`);
  const t0 = Date.now();
  await ensureServerBinaries(log);
  const temporal = ensurePostgresServer({
    ports: PORTS.test,
    databases: DATABASES.test,
    databaseUrl: CLUSTER_TEST_ENV.DATABASE_URL,
    rootDir: path.join(repoRoot, '.temporal', 'cluster-test'),
    detached: false,
    recreate: true,
    log,
  });
  const database = (async () => {
    await ensureDatabase(CLUSTER_TEST_ENV.DATABASE_URL, { recreate: true });
    await runMigrations(CLUSTER_TEST_ENV.DATABASE_URL);
    const handle = createDb(CLUSTER_TEST_ENV.DATABASE_URL, { max: 2 });
    try {
      await importTimetable(handle.db, { dataDir: defaultDataDir() });
    } finally {
      await handle.close();
    }
  })();
  const redis = new Redis(CLUSTER_TEST_ENV.REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
  const [server] = await Promise.all([temporal, database]);
  (globalThis as { __temporalClusterServer?: { stop(): Promise<void> } }).__temporalClusterServer = server;
  log(`Temporal server on Postgres ready (${server.address}, UI ${server.uiUrl}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
