import { drizzle } from 'drizzle-orm/node-postgres';
import fp from 'fastify-plugin';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { Db } from '../../db/client';
import * as schema from '../../db/schema';
import { DependencyGate } from '../dependencyGate';
import { postgresConnectFailure } from '../dependencies';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    pingDb(): Promise<void>;
    /** Closed while Postgres is known to be down (see api/dependencyGate.ts). */
    postgresGate: DependencyGate;
  }
}

/**
 * drizzle wraps a failed statement in DrizzleQueryError (classified in
 * api/dependencies.ts), but a transaction's `pool.connect()` fails with the
 * bare client error; typed here so it is classified too.
 */
class ApiPool extends Pool {
  retryAfterSeconds = 5;
  override connect(): Promise<PoolClient>;
  override connect(callback: (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(
    callback?: (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<PoolClient> | void {
    if (callback) return super.connect(callback);
    return super.connect().catch((err: unknown) => {
      throw postgresConnectFailure(err, this.retryAfterSeconds);
    });
  }
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
    const ping = async () => {
      await pool.query('select 1');
    };
    const gate = new DependencyGate('postgres', { probe: ping, probeIntervalMs: 500, retryAfterSeconds: opts.retryAfterSeconds, log: app.log });
    app.decorate('db', db);
    app.decorate('pingDb', ping);
    app.decorate('postgresGate', gate);
    app.addHook('onClose', async () => {
      gate.close();
      await pool.end();
    });
  },
  { name: 'db' },
);
