// `npm run db:migrate`: creates the database if needed and applies the
// committed migrations; exits non-zero on any failure.
import { loadConfig } from '../config';
import { ensureDatabase, runMigrations } from './admin';

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig();
  if (await ensureDatabase(databaseUrl)) console.log('created database');
  await runMigrations(databaseUrl);
  console.log('migrations applied');
}

main().catch((err: unknown) => {
  console.error('migration failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
