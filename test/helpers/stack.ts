// A whole stack for a test file: a real worker on its own task queue, the
// API listening on a real port, and an SMTP catcher — against the real dev
// server, test database and Redis brought up by the global setup.
import { Client, Connection } from '@temporalio/client';
import { buildApp, type App } from '../../api/app';
import type { Config } from '../../config';
import { createDb, type DbHandle } from '../../db/client';
import { createWorker, type WorkerGroup, type WorkerOptions } from '../../workers/createWorker';
import { uniqueEmail } from './app';
import { quietTemporalRuntime, testConfig, uniqueTaskQueue } from './config';
import { startSmtpCatcher, type SmtpCatcher } from './smtp';

export interface Stack {
  config: Config;
  app: App;
  baseUrl: string;
  smtp: SmtpCatcher;
  db: DbHandle;
  client: Client;
  startWorker(opts?: WorkerOptions): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(
  name: string,
  overrides: Record<string, string> = {},
  opts: { worker?: boolean; workerOptions?: WorkerOptions } = {},
): Promise<Stack> {
  quietTemporalRuntime();
  testConfig(overrides); // fail on a bad override before anything is opened
  const smtp = await startSmtpCatcher();
  const config = testConfig({ SMTP_URL: smtp.url, TEMPORAL_TASK_QUEUE: uniqueTaskQueue(name), ...overrides });
  const app = await buildApp(config, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const baseUrl = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  const db = createDb(config.databaseUrl, { max: 4 });
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });

  let running: { worker: WorkerGroup; done: Promise<void>; closeDeps(): Promise<void> } | null = null;
  const stack: Stack = {
    config,
    app,
    baseUrl,
    smtp,
    db,
    client,
    async startWorker(workerOpts?: WorkerOptions) {
      const { worker, closeDeps } = await createWorker(config, workerOpts);
      running = { worker, done: worker.run(), closeDeps };
    },
    async stopWorker() {
      if (!running) return;
      const r = running;
      running = null;
      r.worker.shutdown();
      await r.done;
      await r.closeDeps();
    },
    async close() {
      await stack.stopWorker();
      await app.close();
      await connection.close();
      await db.close();
      await smtp.close();
    },
  };
  if (opts.worker !== false) await stack.startWorker(opts.workerOptions);
  return stack;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

/** A tiny HTTP client over real sockets. */
export function api(stack: Stack, token?: string) {
  const call = async <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> => {
    const res = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, body ?? {}, headers),
  };
}

export async function registerTraveller(stack: Stack, tag: string): Promise<{ token: string; userId: number; email: string }> {
  const email = uniqueEmail(tag);
  const res = await api(stack).post('/auth/register', { email, password: 'password1', name: tag });
  if (res.status !== 201) throw new Error(`register failed: ${JSON.stringify(res.body)}`);
  return { token: res.body.token, userId: res.body.user.id, email };
}

/**
 * A date `daysAhead` from today. Inventory actors are keyed by train, run date and class, and each test file
 * runs its own worker on its own task queue, so two files must never book the same train/date/class: an actor
 * started by one file's worker is gone with it. Days in use: flow 30–37, concurrency 40 (12423), crash 45,
 * continueAsNew 50–51, ui 60, operations 70–73, metrics 80, actorStart 85–87, pnr.idempotency 105–109, fuzz 110–114,
 * inventory.lifecycle 115–118 (and 12952 two days ago), outage 100–102 (100 on a Temporal server of its own),
 * ticket.pdf 130–134, railway.waitlist 135–136, 139–141 and railway.stampede 137–138 (12423). The suite books
 * past the 60-day advance reservation period (test/setup/testEnv.ts raises BOOKING_ADVANCE_DAYS); railway.quotas
 * uses train 12106 on dates of its own near today.
 */
export function futureDate(daysAhead: number): string {
  const d = new Date(Date.now() + daysAhead * 86_400_000);
  return d.toISOString().slice(0, 10);
}

export const CARDS = {
  ok: { number: '4111 1111 1111 1111', expMonth: 12, expYear: 2030, cvc: '123' },
  declined: { number: '4000 0000 0000 0002', expMonth: 12, expYear: 2030, cvc: '123' },
  transient: { number: '4000 0000 0000 0119', expMonth: 12, expYear: 2030, cvc: '123' },
  slow: { number: '4000 0000 0000 0077', expMonth: 12, expYear: 2030, cvc: '123' },
};

export const passenger = (name: string, age = 30, gender: 'M' | 'F' = 'F') => ({ name, age, gender });
