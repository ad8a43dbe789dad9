// Every setting the processes read, validated once at start-up. Defaults work
// on a developer machine with Postgres, Redis and the Temporal dev server on
// localhost; production must override the secrets (enforced below).
import { TASK_QUEUE } from '../contracts/taskQueues';
import { isClassCode, type ClassCode } from '../domain/types';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function read(env: Env, key: string, fallback: string): string {
  const v = env[key];
  return v === undefined || v.trim() === '' ? fallback : v.trim();
}

function int(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = read(env, key, String(fallback));
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${key} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function url(env: Env, key: string, fallback: string, protocols: string[]): string {
  const raw = read(env, key, fallback);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${key} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${key} must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

function hostPort(env: Env, key: string, fallback: string): string {
  const raw = read(env, key, fallback);
  if (!/^[\w.-]+:\d{1,5}$/.test(raw)) throw new ConfigError(`${key} must look like host:port, got "${raw}"`);
  return raw;
}

/** `SL:7,3A:4`: per class, RAC side-lowers per coach (classes not named keep the table's number). */
function racPerCoach(env: Env): Partial<Record<ClassCode, number>> {
  const raw = read(env, 'RAC_BERTHS_PER_COACH', '').trim();
  const out: Partial<Record<ClassCode, number>> = {};
  if (raw === '') return out;
  for (const part of raw.split(',')) {
    const m = /^\s*([0-9A-Z]{2})\s*:\s*(\d{1,2})\s*$/.exec(part);
    if (!m || !isClassCode(m[1]!)) throw new ConfigError(`RAC_BERTHS_PER_COACH must look like SL:7,3A:4, got "${raw}"`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

function oneOf<T extends string>(env: Env, key: string, fallback: T, allowed: readonly T[]): T {
  const raw = read(env, key, fallback);
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

export const DEV_JWT_SECRET = 'dev-only-secret-change-me-in-production-0123456789';
export const DEV_TICKET_SIGNING_KEY = 'dev-only-ticket-signing-key-change-me-in-production';

export function loadConfig(env: Env = process.env) {
  const nodeEnv = oneOf(env, 'NODE_ENV', 'development', ['development', 'test', 'production'] as const);
  const jwtSecret = read(env, 'JWT_SECRET', DEV_JWT_SECRET);
  if (jwtSecret.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters');
  if (nodeEnv === 'production' && jwtSecret === DEV_JWT_SECRET) {
    throw new ConfigError('JWT_SECRET must be set in production');
  }
  // Signs the e-ticket QR codes (tickets/signing.ts); inspectors' apps hold it to verify them offline.
  const ticketSigningKey = read(env, 'TICKET_SIGNING_KEY', DEV_TICKET_SIGNING_KEY);
  if (ticketSigningKey.length < 32) throw new ConfigError('TICKET_SIGNING_KEY must be at least 32 characters');
  if (nodeEnv === 'production' && ticketSigningKey === DEV_TICKET_SIGNING_KEY) {
    throw new ConfigError('TICKET_SIGNING_KEY must be set in production');
  }
  const previousTicketKeys = read(env, 'TICKET_SIGNING_PREVIOUS_KEYS', '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (previousTicketKeys.some((k) => k.length < 32)) throw new ConfigError('TICKET_SIGNING_PREVIOUS_KEYS must be keys of at least 32 characters, comma-separated');
  const temporalUiPort = int(env, 'TEMPORAL_UI_PORT', 8233, 1, 65535);
  const smtpUrl = read(env, 'SMTP_URL', '');
  const metricsToken = read(env, 'METRICS_TOKEN', '');
  if (metricsToken !== '' && metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters');
  return {
    nodeEnv,
    logLevel: oneOf(env, 'LOG_LEVEL', nodeEnv === 'test' ? 'warn' : 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ] as const),
    api: {
      host: read(env, 'API_HOST', '127.0.0.1'),
      port: int(env, 'API_PORT', 3000, 0, 65535),
    },
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/railbook', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379/0', ['redis:', 'rediss:']),
    temporal: {
      address: hostPort(env, 'TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      namespace: read(env, 'TEMPORAL_NAMESPACE', 'railbook'),
      // Overridable so tests (and blue/green workers) can use their own queue.
      taskQueue: read(env, 'TEMPORAL_TASK_QUEUE', TASK_QUEUE),
      uiUrl: url(env, 'TEMPORAL_UI_URL', `http://127.0.0.1:${temporalUiPort}`, ['http:', 'https:']),
      uiPort: temporalUiPort,
    },
    worker: {
      /** Where the worker's Temporal runtime serves Prometheus metrics (GET /metrics). */
      metricsAddress: hostPort(env, 'WORKER_METRICS_ADDRESS', '127.0.0.1:9464'),
      /**
       * Workflows kept in memory per SDK worker (sticky cache). A confirmed booking's actor waits for weeks for
       * its reminder; caching every one grew the worker by ~0.3 MiB a booking in the soak until the SDK's
       * default (sized from the heap) was reached. Past this, an actor's next task replays its short history.
       */
      maxCachedWorkflows: int(env, 'WORKER_MAX_CACHED_WORKFLOWS', 500, 10, 100_000),
    },
    booking: {
      holdTtlSeconds: int(env, 'HOLD_TTL_SECONDS', 600, 2, 3600),
      /** How long POST /bookings/:pnr/payment waits for the outcome before answering 202. */
      paymentWaitSeconds: int(env, 'PAYMENT_WAIT_SECONDS', 25, 1, 120),
      /**
       * The advance reservation period: general, ladies and senior quota booking opens at 08:00 IST this many days
       * before the train leaves its origin, not counting that day (docs/railway-rules.md; the railway's 60).
       */
      advanceDays: int(env, 'BOOKING_ADVANCE_DAYS', 60, 1, 400),
      availabilityCacheSeconds: int(env, 'AVAILABILITY_CACHE_SECONDS', 5, 1, 300),
      /** The last availability read from an inventory is kept this long, to answer (marked stale) while Temporal is down. */
      availabilityLastKnownSeconds: int(env, 'AVAILABILITY_LAST_KNOWN_SECONDS', 3600, 1, 7 * 86_400),
      /** The reminder email goes out this long before departure (default a day). */
      reminderLeadSeconds: int(env, 'REMINDER_LEAD_SECONDS', 86_400, 0, 30 * 86_400),
      /** Charge attempts on transient gateway failures before support is needed. */
      paymentMaxAttempts: int(env, 'PAYMENT_MAX_ATTEMPTS', 8, 1, 50),
      /**
       * When not 0, the first charge attempt runs inside the pay's workflow task for at most this long (then the
       * charge activity takes over): cheaper, but the booking answers no query meanwhile (workflows/booking.ts).
       */
      firstChargeTimeoutMs: int(env, 'PAYMENT_FIRST_ATTEMPT_TIMEOUT_MS', 0, 0, 10_000),
    },
    railway: {
      /**
       * The chart is prepared this long before the train leaves its origin (docs/railway-rules.md; default 4 h,
       * the rule since 2025 allows earlier). Read by the inventory actors through the timetable activity.
       */
      chartMinutesBeforeDeparture: int(env, 'CHART_MINUTES_BEFORE_DEPARTURE', 240, 0, 48 * 60),
      /**
       * 'on': each new inventory splits its berths into the Tatkal, ladies and senior pools (domain/quotas.ts
       * assignQuotaPools); 'off': every berth general (as before quotas; the tests of other features count on it).
       */
      quotaPools: oneOf(env, 'QUOTA_POOLS', 'on', ['on', 'off'] as const) === 'on',
      /**
       * Side-lower berths per coach kept for RAC (two passengers each), per class, overriding the documented
       * table (domain/railwayRules.ts QUOTA_TABLE): `SL:7,3A:4`. Read by new inventories when they load.
       */
      racBerthsPerCoach: racPerCoach(env),
    },
    /**
     * How long the API waits on each dependency before answering 503 + Retry-After
     * (docs/architecture.md, "Answers during outages").
     */
    deadlines: {
      /** Each API call to Temporal (query, describe, signal, start, an update until accepted). */
      temporalCallMs: int(env, 'TEMPORAL_CALL_TIMEOUT_MS', 5000, 100, 60_000),
      /** A hold, from the request to the inventory's answer, queueing and the actor's retry refusals included. */
      holdMs: int(env, 'HOLD_TIMEOUT_MS', 10_000, 500, 60_000),
      /** Postgres: getting a connection from the pool, and each statement (server-side statement_timeout). */
      postgresConnectMs: int(env, 'PG_CONNECT_TIMEOUT_MS', 2000, 100, 60_000),
      postgresStatementMs: int(env, 'PG_STATEMENT_TIMEOUT_MS', 5000, 100, 120_000),
      /** Each Redis command. */
      redisCommandMs: int(env, 'REDIS_COMMAND_TIMEOUT_MS', 1000, 50, 30_000),
      /** The Retry-After sent with a 503 while a dependency is down. */
      retryAfterSeconds: int(env, 'RETRY_AFTER_SECONDS', 5, 1, 600),
    },
    /** Write requests (POST/PUT/DELETE) per window, per signed-in user or else per client IP; Redis-backed, fail open. */
    rateLimit: {
      windowSeconds: int(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 3600),
      writesPerUser: int(env, 'RATE_LIMIT_WRITES_PER_USER', 6000, 1, 10_000_000),
      writesPerIp: int(env, 'RATE_LIMIT_WRITES_PER_IP', 600, 1, 10_000_000),
      loginsPerAccount: int(env, 'RATE_LIMIT_LOGINS_PER_ACCOUNT', 10, 1, 10_000),
      registrationsPerIp: int(env, 'RATE_LIMIT_REGISTRATIONS_PER_IP', 30, 1, 10_000),
    },
    /** Bearer token that may read GET /metrics (an admin's JWT may too); unset: admins only. */
    metricsToken: metricsToken === '' ? null : metricsToken,
    jwt: {
      secret: jwtSecret,
      expiresIn: read(env, 'JWT_EXPIRES_IN', '12h'),
    },
    /** E-ticket QR signing: `current` signs, `previous` (retired keys) still verify. */
    tickets: {
      keys: { current: ticketSigningKey, previous: previousTicketKeys },
      /**
       * Attach the PDF e-ticket to the ticket email (TICKET_PDF_ATTACH, default on). The integration tests
       * turn it off except where they test it: under jest a render takes ~0.8 s (against ~30 ms under
       * tsx), and 80 ticket emails after a rush held the in-process worker's event loop for a minute.
       */
      attachPdf: oneOf(env, 'TICKET_PDF_ATTACH', 'on', ['on', 'off'] as const) === 'on',
    },
    mail: {
      smtpUrl: smtpUrl === '' ? null : url(env, 'SMTP_URL', '', ['smtp:', 'smtps:']),
      from: read(env, 'MAIL_FROM', 'Railbook <tickets@railbook.local>'),
      outboxDir: read(env, 'MAIL_OUTBOX_DIR', 'var/mail'),
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;

/** A copy safe to log: credentials in URLs and secrets are masked. */
export function redactedConfig(config: Config): unknown {
  const maskUrl = (u: string) => u.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return {
    ...config,
    databaseUrl: maskUrl(config.databaseUrl),
    redisUrl: maskUrl(config.redisUrl),
    jwt: { ...config.jwt, secret: '***' },
    tickets: { keys: { current: '***', previous: config.tickets.keys.previous.map(() => '***') } },
    metricsToken: config.metricsToken && '***',
    mail: { ...config.mail, smtpUrl: config.mail.smtpUrl && maskUrl(config.mail.smtpUrl) },
  };
}
