// Idempotency-Key on POSTs: the first answer to a key is stored in Redis for a
// day and replayed to any retry with the same key and body. While the first
// request is still running a retry gets IDEMPOTENCY_IN_PROGRESS; a different
// body with the same key gets IDEMPOTENCY_KEY_REUSED. Server errors are not
// stored, so a retry after one runs again.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AppError } from '../errors';

const PENDING_TTL_S = 60;
const RESULT_TTL_S = 24 * 3600;

interface Stored {
  state: 'pending' | 'done';
  fingerprint: string;
  status?: number;
  body?: unknown;
}

export async function withIdempotency(
  redis: Redis,
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
  const redisKey = `idem:${scope}:${key}`;
  let claimed: string | null;
  try {
    claimed = await redis.set(redisKey, JSON.stringify({ state: 'pending', fingerprint } satisfies Stored), 'EX', PENDING_TTL_S, 'NX');
  } catch {
    // Without the store a retry could act twice: refuse rather than risk it.
    throw new AppError('SERVICE_UNAVAILABLE', 'idempotency store unavailable; retry shortly');
  }
  if (claimed === null) {
    const raw = await redis.get(redisKey);
    const stored = raw ? (JSON.parse(raw) as Stored) : null;
    if (stored && stored.fingerprint !== fingerprint) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
    }
    if (!stored || stored.state === 'pending') {
      reply.header('retry-after', '1');
      throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed');
    }
    reply.header('idempotent-replayed', 'true');
    return reply.status(stored.status ?? 200).send(stored.body);
  }
  try {
    const r = await run();
    await redis.set(redisKey, JSON.stringify({ state: 'done', fingerprint, ...r } satisfies Stored), 'EX', RESULT_TTL_S);
    return reply.status(r.status).send(r.body);
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      const body = { error: { code: err.code, message: err.message, details: err.details }, requestId: req.id };
      await redis.set(redisKey, JSON.stringify({ state: 'done', fingerprint, status: err.status, body } satisfies Stored), 'EX', RESULT_TTL_S);
    } else {
      await redis.del(redisKey).catch(() => undefined);
    }
    throw err;
  }
}
