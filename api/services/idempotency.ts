// Idempotency-Key on POSTs: the first answer to a key is kept in Postgres
// (table idempotency_keys) for a day and replayed to any retry with the same
// key and body. While the first request is still running a retry gets
// IDEMPOTENCY_IN_PROGRESS; a different body with the same key gets
// IDEMPOTENCY_KEY_REUSED. Server errors are not stored, so a retry after one
// runs again. A claim whose request died (a killed process) runs out after
// PENDING_TTL_S and the next retry takes it over.
//
// Postgres, not Redis, because an answer lost from Redis (a flush, an
// eviction, a failover) let a retry book twice. Redis only caches finished
// answers, so a retry storm is answered without touching Postgres; with Redis
// down or flushed every answer still comes from Postgres.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Db } from '../../db/client';
import { claimKey, deleteExpiredKeys, finishKey, releaseKey, type KeyRef } from '../../db/repositories/idempotency';
import { AppError } from '../errors';
import { softRedis } from './softRedis';

const PENDING_TTL_S = 60;
const RESULT_TTL_S = 24 * 3600;
/** A cached answer runs out this long before its row, so a clock skew never replays an expired answer. */
const CACHE_MARGIN_S = 300;
/** Expired rows are swept by whichever keyed request comes first after this pause (per API process), a batch at a time. */
const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 500;

/** What withIdempotency needs; the Fastify app itself has both. */
export interface IdempotencyDeps {
  db: Db;
  redis: Redis;
}

/** What a key holds, as far as a new request with it is concerned. */
export interface StoredAnswer {
  state: 'pending' | 'done';
  fingerprint: string;
  status?: number | null;
  body?: unknown;
}

export type Decision = 'replay' | 'reused' | 'in_progress';

/** What a request gets when its key is already held (pure; unit-tested). */
export function decide(stored: StoredAnswer | null, fingerprint: string): Decision {
  if (stored && stored.fingerprint !== fingerprint) return 'reused';
  if (!stored || stored.state !== 'done') return 'in_progress';
  return 'replay';
}

export async function withIdempotency(
  deps: IdempotencyDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  scope: string,
  run: () => Promise<{ status: number; body: unknown }>,
): Promise<FastifyReply> {
  const key = req.headers['idempotency-key'];
  if (key === undefined) {
    const r = await run();
    return reply.status(r.status).send(r.body);
  }
  if (typeof key !== 'string' || !/^[\w.:-]{1,128}$/.test(key)) {
    throw new AppError('VALIDATION_ERROR', 'Idempotency-Key must be 1–128 characters of letters, digits, _ . : -');
  }
  const fingerprint = createHash('sha256').update(`${req.method} ${req.url} ${JSON.stringify(req.body ?? null)}`).digest('base64url');
  const ref: KeyRef = { scope, key };
  const cacheKey = `idem:${scope}:${key}`;

  const cached = parseCached(await softRedis(deps.redis.get(cacheKey)));
  if (cached) return answer(reply, cached, fingerprint);

  const claim = randomUUID();
  let held: Awaited<ReturnType<typeof claimKey>>;
  try {
    held = await claimKey(deps.db, { ...ref, fingerprint, claim, pendingSeconds: PENDING_TTL_S });
  } catch (err) {
    // Without the store a retry could act twice: refuse rather than risk it.
    req.log.warn({ err: (err as Error).message }, 'idempotency store unavailable');
    reply.header('retry-after', '1');
    throw new AppError('SERVICE_UNAVAILABLE', 'idempotency store unavailable; retry shortly');
  }
  sweepExpired(deps.db, req.log);
  if (held !== 'claimed') {
    if (held?.state === 'done') {
      const ttl = Math.floor((held.expiresAt.getTime() - Date.now()) / 1000) - CACHE_MARGIN_S;
      const value: StoredAnswer = { state: 'done', fingerprint: held.fingerprint, status: held.status, body: held.body };
      if (ttl > 0) void softRedis(deps.redis.set(cacheKey, JSON.stringify(value), 'EX', ttl));
    }
    return answer(reply, held, fingerprint);
  }

  let result: { status: number; body: unknown };
  try {
    result = await run();
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      const body = { error: { code: err.code, message: err.message, details: err.details }, requestId: req.id };
      await store(deps.db, req.log, { ...ref, claim, status: err.status, body });
    } else {
      await releaseKey(deps.db, { ...ref, claim }).catch((e: Error) =>
        req.log.warn({ err: e.message, key }, 'could not release an idempotency key; it runs out by itself'),
      );
    }
    throw err;
  }
  await store(deps.db, req.log, { ...ref, claim, ...result });
  return reply.status(result.status).send(result.body);
}

function answer(reply: FastifyReply, stored: StoredAnswer | null, fingerprint: string): FastifyReply {
  switch (decide(stored, fingerprint)) {
    case 'reused':
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
    case 'in_progress':
      reply.header('retry-after', '1');
      throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed');
    case 'replay':
      reply.header('idempotent-replayed', 'true');
      return reply.status(stored?.status ?? 200).send(stored?.body);
  }
}

/**
 * Stores the answer. The request has already acted, so its answer goes to the
 * client even if storing fails; the claim then runs out after PENDING_TTL_S
 * (retries meanwhile get IDEMPOTENCY_IN_PROGRESS). A brief database blip is
 * ridden out by a few quick attempts.
 */
async function store(db: Db, log: FastifyBaseLogger, a: KeyRef & { claim: string; status: number; body: unknown }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await finishKey(db, { ...a, ttlSeconds: RESULT_TTL_S }))) {
        log.warn({ key: a.key }, 'idempotency claim was taken over before the answer was stored');
      }
      return;
    } catch (err) {
      if (attempt >= 3) {
        log.error({ err: (err as Error).message, key: a.key }, 'could not store an idempotent answer');
        return;
      }
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/** Only finished answers are cached; anything unreadable is a miss. */
function parseCached(raw: string | null): StoredAnswer | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as StoredAnswer;
    return v.state === 'done' && typeof v.fingerprint === 'string' ? v : null;
  } catch {
    return null;
  }
}


/** When each database handle (one per API process) last swept. */
const lastSweep = new WeakMap<Db, number>();

/** Deletes a batch of expired rows in the background, at most once a minute per API process. */
function sweepExpired(db: Db, log: FastifyBaseLogger): void {
  const now = Date.now();
  if (now - (lastSweep.get(db) ?? 0) < SWEEP_EVERY_MS) return;
  lastSweep.set(db, now);
  deleteExpiredKeys(db, SWEEP_BATCH).catch((err: Error) => log.warn({ err: err.message }, 'idempotency sweep failed'));
}
