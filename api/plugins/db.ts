import { drizzle } from 'drizzle-orm/node-postgres';
import fp from 'fastify-plugin';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { Db } from '../../db/client';
import * as schema from '../../db/schema';
import { DependencyGate } from '../dependencyGate';
import { DependencyUnavailable, postgresConnectFailure } from '../dependencies';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    pingDb(): Promise<void>;
    /** Closed while Postgres is known to be down (see api/dependencyGate.ts). */
    postgresGate: DependencyGate;
  }
}

/**
 * The pool behind the gate: while Postgres is known to be down, every query
 * and connection is refused at once (no connect attempt, no waiting for the
 * connect deadline), whichever route asks. drizzle wraps a failed statement
 * in DrizzleQueryError (classified in api/dependencies.ts), but a
 * transaction's `pool.connect()` fails with the bare client error: typed here
 * so it is classified too.
 */
class ApiPool extends Pool {
  retryAfterSeconds = 5;
  gate: DependencyGate | null = null;

  private refusal(): DependencyUnavailable | null {
    return this.gate?.isDown ? new DependencyUnavailable('postgres', 'down', this.retryAfterSeconds) : null;
  }

  override connect(): Promise<PoolClient>;
  override connect(callback: (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(
    callback?: (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<PoolClient> | void {
    if (callback) return super.connect(callback);
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    return super.connect().catch((err: unknown) => {
      throw postgresConnectFailure(err, this.retryAfterSeconds);
    });
  }
}

/**
 * Puts `pool.query` behind the gate too (drizzle queries through it with
 * promises; pg's callback forms pass through untouched). Returns the
 * unguarded query, for the probe.
 */
function guardQueries(pool: ApiPool): (text: string) => Promise<unknown> {
  const unguarded = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  const refusal = () => (pool.gate?.isDown ? new DependencyUnavailable('postgres', 'down', pool.retryAfterSeconds) : null);
  const guarded = (...args: unknown[]) => {
    const refused = args.some((a) => typeof a === 'function') ? null : refusal();
    return refused ? Promise.reject(refused) : unguarded(...args);
  };
  Object.assign(pool, { query: guarded });
  return (text) => unguarded(text);
}

export default fp<{ databaseUrl: string; connectTimeoutMs: number; statementTimeoutMs: number; retryAfterSeconds: number }>(
  async (app, opts) => {
    const config: PoolConfig = {
      connectionString: opts.databaseUrl,
      max: 20,
      application_name: 'railbook-api',
      // No request waits on Postgres longer than these: a connection (new or from a
      // busy pool) within connectTimeoutMs, each statement within statementTimeoutMs
      // on the server (SQLSTATE 57014), and the client gives up a little later if the
      // server does not answer at all.
      connectionTimeoutMillis: opts.connectTimeoutMs,
      statement_timeout: opts.statementTimeoutMs,
      query_timeout: opts.statementTimeoutMs + 1000,
      idle_in_transaction_session_timeout: opts.statementTimeoutMs * 2,
    };
    const pool = new ApiPool(config);
    pool.retryAfterSeconds = opts.retryAfterSeconds;
    // An idle client error must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const db = drizzle(pool, { schema });
    const unguardedQuery = guardQueries(pool);
    const ping = async () => {
      await unguardedQuery('select 1');
    };
    const gate = new DependencyGate('postgres', { probe: ping, probeIntervalMs: 500, retryAfterSeconds: opts.retryAfterSeconds, log: app.log });
    pool.gate = gate;
    app.decorate('db', db);
    app.decorate('pingDb', ping);
    app.decorate('postgresGate', gate);
    app.addHook('onClose', async () => {
      await gate.close();
      await pool.end();
    });
  },
  { name: 'db' },
);
