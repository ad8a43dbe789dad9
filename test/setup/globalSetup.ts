// Brings up what the integration tests need, once per run: the Temporal dev
// server (in memory, through the project's own temporal/ script), a freshly
// created and migrated test database seeded with the whole real timetable, and an empty
// Redis logical db. The settings reach the test workers through process.env.
import path from 'node:path';
import { Redis } from 'ioredis';
import { createDb } from '../../db/client';
import { ensureDatabase, runMigrations } from '../../db/admin';
import { defaultDataDir } from '../../db/seed/dataDir';
import { importTimetable } from '../../db/seed/import';
import { ensureDevServer, ensureTemporalCli } from '../../temporal/devServer';
import { TEST_ENV } from './testEnv';

const repoRoot = path.resolve(__dirname, '..', '..');

export default async function globalSetup(): Promise<void> {
  Object.assign(process.env, TEST_ENV);
  const log = (m: string) => process.stderr.write(`[test setup] ${m}\n`);

  await ensureTemporalCli(log);
  const temporal = ensureDevServer({
    address: TEST_ENV.TEMPORAL_ADDRESS,
    uiPort: Number(TEST_ENV.TEMPORAL_UI_PORT),
    namespace: TEST_ENV.TEMPORAL_NAMESPACE,
    dbFile: null,
    logFile: path.join(repoRoot, '.temporal', 'test-server.log'),
    detached: false,
    log,
  });

  const database = (async () => {
    await ensureDatabase(TEST_ENV.DATABASE_URL, { recreate: true });
    await runMigrations(TEST_ENV.DATABASE_URL);
    const handle = createDb(TEST_ENV.DATABASE_URL, { max: 2 });
    try {
      const counts = await importTimetable(handle.db, { dataDir: defaultDataDir() });
      log(`seeded ${counts.trains} real trains, ${counts.stops} stops in ${counts.ms} ms`);
    } finally {
      await handle.close();
    }
  })();

  const redis = new Redis(TEST_ENV.REDIS_URL);
  await redis.flushdb();
  redis.disconnect();

  const [server] = await Promise.all([temporal, database]);
  (globalThis as { __temporalTestServer?: { stop(): Promise<void> } }).__temporalTestServer = server;
  log(server.started ? `Temporal dev server started (UI ${server.uiUrl})` : 'reusing a running Temporal server');
}
