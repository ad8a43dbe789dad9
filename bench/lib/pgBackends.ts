// The Postgres backends serving the benchmark's databases, found in pg_stat_activity once
// a second. Only these count as "postgres" in the CPU figures: the server on this machine
// also serves other people's test databases, whose backends are not ours.
import type { Pool } from 'pg';
import { cpuSecondsOf, type PidTracker } from './procs';

export interface PgBackendTracker extends PidTracker {
  stop(): void;
}

export function trackPgBackends(pool: Pool, databases: string[], everyMs = 1000): PgBackendTracker {
  /** Live backends and the CPU seconds last read for each. */
  const live = new Map<number, number>();
  let ended = 0;
  const refresh = async () => {
    try {
      const r = await pool.query<{ pid: number }>('select pid from pg_stat_activity where datname = any($1::text[])', [databases]);
      for (const { pid } of r.rows) if (!live.has(pid)) live.set(pid, cpuSecondsOf(pid) ?? 0);
    } catch {
      /* Postgres busy or restarting: keep the last known set */
    }
    for (const [pid, last] of live) {
      const now = cpuSecondsOf(pid);
      if (now === null) {
        ended += last;
        live.delete(pid);
      } else {
        live.set(pid, now);
      }
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), everyMs);
  timer.unref();
  return {
    pids: () => [...live.keys()],
    endedCpuSeconds: () => ended,
    stop: () => clearInterval(timer),
  };
}
