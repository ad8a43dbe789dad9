// `npm run db:seed` — import the real Indian Railways timetable into DATABASE_URL.
//
//   npm run db:seed                          all 2,858 trains (about 2 s)
//   npm run db:seed -- --trains 12951,12952  only these trains (stations: all)
//   npm run db:seed -- --if-empty            do nothing when trains already exist
//   npm run db:seed -- --data-dir /path      data folder (default: RAIL_DATA_DIR,
//                                            else ../shared/data/indian-railways)
//   --all is accepted and is the default.
//
// Re-running is safe: the import is one idempotent transaction (see import.ts).
import { loadConfig, redactedConfig } from '../../config';
import { createDb } from '../client';
import { defaultDataDir } from './dataDir';
import { DataDirError, importTimetable, isCatalogEmpty } from './import';

export interface SeedArgs {
  trains?: string[];
  ifEmpty: boolean;
  dataDir?: string;
}

class UsageError extends Error {
  override name = 'UsageError';
}

const USAGE = 'usage: db:seed [--all | --trains 12951,12952] [--if-empty] [--data-dir DIR]';

/** Parses the command line (throws UsageError). Exported for tests. */
export function parseArgs(argv: readonly string[]): SeedArgs {
  const args: SeedArgs = { ifEmpty: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--all':
        args.trains = undefined;
        break;
      case '--trains': {
        const numbers = value()
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean);
        const bad = numbers.filter((n) => !/^\d{5}$/.test(n));
        if (numbers.length === 0 || bad.length > 0) {
          throw new UsageError(`--trains takes 5-digit train numbers separated by commas, got "${bad.join(',')}"`);
        }
        args.trains = numbers;
        break;
      }
      case '--if-empty':
        args.ifEmpty = true;
        break;
      case '--data-dir':
        args.dataDir = value();
        break;
      case '--help':
      case '-h':
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown option "${arg}"\n${USAGE}`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const dataDir = args.dataDir ?? defaultDataDir();
  const target = (redactedConfig(config) as { databaseUrl: string }).databaseUrl;
  const handle = createDb(config.databaseUrl, { max: 1, applicationName: 'railbook-seed' });
  try {
    if (args.ifEmpty && !(await isCatalogEmpty(handle.db))) {
      console.log(`[seed] ${target} already has trains; nothing to do (--if-empty)`);
      return;
    }
    console.log(`[seed] importing ${args.trains ? args.trains.join(', ') : 'all trains'} from ${dataDir} into ${target}`);
    const r = await importTimetable(handle.db, { dataDir, trains: args.trains, log: (m) => console.log(`[seed] ${m}`) });
    console.log(
      `[seed] done in ${r.ms} ms: ${r.trains} trains, ${r.stops} stops, ${r.coaches} coaches, ${r.stations} stations ` +
        `(${r.changed} rows inserted/updated/deleted${r.skipped.length ? `, ${r.skipped.length} trains skipped` : ''})`,
    );
  } finally {
    await handle.close();
  }
}

function reportFailure(err: unknown): void {
  if (err instanceof UsageError || err instanceof DataDirError) {
    console.error(`[seed] ${err.message}`);
  } else {
    const e = err as { message?: string; code?: string };
    const hint =
      e.code === 'ECONNREFUSED' || e.code === '3D000'
        ? ' (is Postgres running and the database created and migrated? `npm run db:migrate`)'
        : e.code === '42P01'
          ? ' (tables missing: run `npm run db:migrate` first)'
          : '';
    console.error(`[seed] import failed: ${e.message ?? String(err)}${hint}`);
    if (process.env.LOG_LEVEL === 'debug') console.error(err);
  }
  process.exitCode = 1;
}

if (require.main === module) main().catch(reportFailure);
