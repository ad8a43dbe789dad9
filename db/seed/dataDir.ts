// Where the real Indian Railways data set lives: RAIL_DATA_DIR, else
// ../shared/data/indian-railways next to the repository (read-only, CC0).
import path from 'node:path';

/** Repository root (this file is db/seed/dataDir.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export const DATA_FILES = ['trains.json', 'station_trains.json', 'stations.geojson'] as const;

export function defaultDataDir(env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.RAIL_DATA_DIR?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.resolve(REPO_ROOT, '..', 'shared', 'data', 'indian-railways');
}
