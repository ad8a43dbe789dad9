// Which failures mean "a dependency is down or too slow", decided by the
// error's type and code, never by its message text. The one error handler
// answers every such failure 503 SERVICE_UNAVAILABLE with Retry-After; the
// dependency gates (api/dependencyGate.ts) use the same verdict to fail the
// next requests fast.
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import { DrizzleQueryError } from 'drizzle-orm';
import { MaxRetriesPerRequestError } from 'ioredis/built/errors';
import { ReplyError } from 'ioredis';
import { DatabaseError } from 'pg';
import { AppError } from './errors';

export type Dependency = 'temporal' | 'postgres' | 'redis';
/** `down`: refused or lost the connection; `timeout`: answered too late (may only be busy). */
export type UnavailableKind = 'down' | 'timeout';

export interface Unavailability {
  /** null when only the socket error is known (e.g. ECONNREFUSED from an unknown client). */
  dependency: Dependency | null;
  kind: UnavailableKind;
}

/** A dependency failure, answered 503 + Retry-After by the error handler. */
export class DependencyUnavailable extends AppError {
  override name = 'DependencyUnavailable';
  constructor(
    readonly dependency: Dependency | null,
    readonly kind: UnavailableKind,
    readonly retryAfterSeconds: number,
    message = `${dependency ?? 'a backing service'} is ${kind === 'down' ? 'unavailable' : 'not answering in time'}; retry shortly`,
    override readonly cause?: unknown,
  ) {
    super('SERVICE_UNAVAILABLE', message, dependency ? { dependency } : undefined);
  }
}

// Socket-level failures (Node system error codes) of any client.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);

// SQLSTATEs that mean the server cannot serve us now: connection exceptions (class 08),
// admin/crash shutdown and "cannot connect now" (57P01-57P03), too many connections (53300).
const PG_DOWN_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** query_canceled: our statement_timeout fired. */
const PG_TIMEOUT_CODE = '57014';

function pgVerdict(err: DatabaseError): Unavailability | null {
  const code = err.code ?? '';
  if (code.startsWith('08') || PG_DOWN_CODES.has(code)) return { dependency: 'postgres', kind: 'down' };
  if (code === PG_TIMEOUT_CODE) return { dependency: 'postgres', kind: 'timeout' };
  return null;
}

// gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
export const GRPC = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;

function grpcVerdict(code: number): Unavailability | null {
  if (code === GRPC.UNAVAILABLE) return { dependency: 'temporal', kind: 'down' };
  // RESOURCE_EXHAUSTED: the server is shedding load (e.g. too many updates in flight on one workflow).
  if (code === GRPC.DEADLINE_EXCEEDED || code === GRPC.RESOURCE_EXHAUSTED) return { dependency: 'temporal', kind: 'timeout' };
  // FAILED_PRECONDITION: the workflow cannot take the message now — e.g. an update to a workflow whose
  // task failed or timed out (its worker was killed): it answers again once a worker completes a task
  // (found by npm run chaos: 263 holds answered 500 after worker kills).
  if (code === GRPC.FAILED_PRECONDITION) return { dependency: 'temporal', kind: 'timeout' };
  // CANCELLED: the API's own deadline cancelled the call (found by the benchmark under overload: pay answered 500).
  if (code === GRPC.CANCELLED) return { dependency: 'temporal', kind: 'timeout' };
  return null;
}

function systemCode(err: unknown): string | null {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && SOCKET_CODES.has(code) ? code : null;
}

/**
 * The verdict for any error: is it a dependency that is down or too slow?
 * Follows `cause` a few levels (the SDK and drizzle wrap the client's error).
 */
export function classifyUnavailable(err: unknown): Unavailability | null {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e instanceof Error; depth++) {
    if (e instanceof DependencyUnavailable) return { dependency: e.dependency, kind: e.kind };
    if (e instanceof AppError) return null;
    if (isGrpcServiceError(e)) return grpcVerdict(e.code);
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return { dependency: 'temporal', kind: 'timeout' };
    if (e instanceof DatabaseError) return pgVerdict(e);
    if (e instanceof DrizzleQueryError) {
      // drizzle wraps every failed statement. A server error (DatabaseError) is judged by its
      // SQLSTATE; anything else came from the connection (refused, terminated, read timeout)
      // — except a programming error in our own values.
      const cause = e.cause;
      if (cause instanceof DatabaseError) return pgVerdict(cause);
      if (cause instanceof TypeError || cause instanceof RangeError) return null;
      return { dependency: 'postgres', kind: systemCode(cause) === 'ETIMEDOUT' ? 'timeout' : 'down' };
    }
    if (e instanceof MaxRetriesPerRequestError) return { dependency: 'redis', kind: 'down' };
    if (systemCode(e)) return { dependency: null, kind: systemCode(e) === 'ETIMEDOUT' ? 'timeout' : 'down' };
    // The SDK's ServiceError carries the gRPC error as its cause; other errors may too.
    e = e instanceof ServiceError ? e.cause : (e as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * For errors thrown by an ioredis command at a call site: a server reply
 * (ReplyError) is a real answer; anything else (no connection, offline queue
 * off, command timeout, connection closed) means Redis is unavailable.
 */
export function redisFailure(err: unknown, retryAfterSeconds: number): Error {
  if (err instanceof ReplyError || err instanceof AppError) return err as Error;
  return new DependencyUnavailable('redis', 'down', retryAfterSeconds, undefined, err);
}

/** The same for a Postgres pool call outside drizzle (connect): anything but a server error is the connection. */
export function postgresConnectFailure(err: unknown, retryAfterSeconds: number): Error {
  if (err instanceof DatabaseError && !pgVerdict(err)) return err;
  return new DependencyUnavailable('postgres', 'down', retryAfterSeconds, undefined, err);
}
