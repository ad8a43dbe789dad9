import { Metadata } from '@grpc/grpc-js';
import { ApplicationFailure, ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { DrizzleQueryError } from 'drizzle-orm';
import { ReplyError } from 'ioredis';
import { MaxRetriesPerRequestError } from 'ioredis/built/errors';
import { DatabaseError } from 'pg';
import fc from 'fast-check';
import { DependencyGate } from '../../api/dependencyGate';
import { classifyUnavailable, DependencyUnavailable, postgresConnectFailure, redisFailure } from '../../api/dependencies';
import { AppError } from '../../api/errors';
import { updateRefusal } from '../../api/services/updateRefusal';

const grpcError = (code: number, message = 'whatever') => Object.assign(new Error(message), { code, details: message, metadata: new Metadata() });
const pgError = (code: string) => Object.assign(new DatabaseError('server said no', 0, 'error'), { code });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });

describe('classifyUnavailable', () => {
  it.each([
    ['gRPC UNAVAILABLE', grpcError(14), { dependency: 'temporal', kind: 'down' }],
    ['gRPC DEADLINE_EXCEEDED', grpcError(4), { dependency: 'temporal', kind: 'timeout' }],
    ['gRPC RESOURCE_EXHAUSTED', grpcError(8), { dependency: 'temporal', kind: 'timeout' }],
    ['gRPC FAILED_PRECONDITION (workflow task failed: a killed worker)', grpcError(9), { dependency: 'temporal', kind: 'timeout' }],
    ['gRPC CANCELLED (our deadline cancelled the call)', grpcError(1), { dependency: 'temporal', kind: 'timeout' }],
    ['SDK ServiceError around UNAVAILABLE', new ServiceError('Failed to query Workflow', { cause: grpcError(14) }), { dependency: 'temporal', kind: 'down' }],
    ['update RPC timeout', new WorkflowUpdateRPCTimeoutOrCancelledError('timeout', { cause: grpcError(4) }), { dependency: 'temporal', kind: 'timeout' }],
    ['pg admin shutdown 57P01', pgError('57P01'), { dependency: 'postgres', kind: 'down' }],
    ['pg cannot connect now 57P03', pgError('57P03'), { dependency: 'postgres', kind: 'down' }],
    ['pg connection exception 08006', pgError('08006'), { dependency: 'postgres', kind: 'down' }],
    ['pg too many connections 53300', pgError('53300'), { dependency: 'postgres', kind: 'down' }],
    ['pg statement timeout 57014', pgError('57014'), { dependency: 'postgres', kind: 'timeout' }],
    ['drizzle around ECONNREFUSED', new DrizzleQueryError('select 1', [], socketError('ECONNREFUSED')), { dependency: 'postgres', kind: 'down' }],
    ['drizzle around a pool timeout', new DrizzleQueryError('select 1', [], new Error('timeout exceeded when trying to connect')), { dependency: 'postgres', kind: 'down' }],
    ['drizzle around 57P01', new DrizzleQueryError('select 1', [], pgError('57P01')), { dependency: 'postgres', kind: 'down' }],
    ['ioredis MaxRetriesPerRequestError', new MaxRetriesPerRequestError(1), { dependency: 'redis', kind: 'down' }],
    ['bare ECONNREFUSED', socketError('ECONNREFUSED'), { dependency: null, kind: 'down' }],
    ['bare ETIMEDOUT', socketError('ETIMEDOUT'), { dependency: null, kind: 'timeout' }],
    ['DependencyUnavailable', new DependencyUnavailable('redis', 'down', 5), { dependency: 'redis', kind: 'down' }],
  ])('%s is a dependency failure', (_name, err, verdict) => {
    expect(classifyUnavailable(err)).toEqual(verdict);
  });

  it.each([
    ['gRPC NOT_FOUND', grpcError(5)],
    ['gRPC INVALID_ARGUMENT', grpcError(3)],
    ['pg unique violation', pgError('23505')],
    ['drizzle around a unique violation', new DrizzleQueryError('insert', [], pgError('23505'))],
    ['drizzle around a TypeError (our bug)', new DrizzleQueryError('insert', [], new TypeError('bad value'))],
    ['WorkflowNotFoundError', new WorkflowNotFoundError('gone', 'booking-1', undefined)],
    ['an AppError', new AppError('NO_SEATS_AVAILABLE', 'full')],
    ['a plain Error', new Error('boom')],
    ['not an Error', 'ECONNREFUSED'],
  ])('%s is not', (_name, err) => {
    expect(classifyUnavailable(err)).toBeNull();
  });

  it('never reads the message: any text, with or without outage words, decides nothing', () => {
    const words = fc.constantFrom('ECONNREFUSED', 'UNAVAILABLE', 'DEADLINE_EXCEEDED', 'Connection is closed', 'timeout', '14 UNAVAILABLE: x', '');
    fc.assert(
      fc.property(fc.string(), words, fc.string(), (a, w, b) => {
        const message = `${a}${w}${b}`;
        expect(classifyUnavailable(new Error(message))).toBeNull();
        expect(classifyUnavailable(grpcError(14, message))).toEqual({ dependency: 'temporal', kind: 'down' });
        expect(classifyUnavailable(grpcError(5, message))).toBeNull();
      }),
    );
  });

  it('types the errors of a Redis or Postgres call site', () => {
    const offline = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    expect(redisFailure(offline, 7)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', dependency: 'redis', retryAfterSeconds: 7 });
    const reply = new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(redisFailure(reply, 7)).toBe(reply);
    expect(postgresConnectFailure(new Error('timeout exceeded when trying to connect'), 3)).toMatchObject({ dependency: 'postgres', kind: 'down' });
    const auth = pgError('28P01');
    expect(postgresConnectFailure(auth, 3)).toBe(auth);
  });
});

describe('updateRefusal', () => {
  it('maps a validator refusal by class and code, and an ended actor by class', () => {
    const refused = new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ message: 'HOLD_EXPIRED: the hold has expired' }));
    expect(updateRefusal(refused, 'BOOKING_NOT_PAYABLE')).toMatchObject({ code: 'HOLD_EXPIRED', message: 'the hold has expired' });
    const typed = new WorkflowUpdateFailedError('x', ApplicationFailure.create({ type: 'PAYMENT_IN_PROGRESS', message: 'wait' }));
    expect(updateRefusal(typed, 'BOOKING_NOT_CANCELLABLE')).toMatchObject({ code: 'PAYMENT_IN_PROGRESS' });
    expect(updateRefusal(new WorkflowNotFoundError('gone', 'booking-1', undefined), 'BOOKING_NOT_CANCELLABLE')).toMatchObject({ code: 'BOOKING_NOT_CANCELLABLE' });
    // Not a refusal: an unknown code, or the same text outside an update failure.
    expect(updateRefusal(new WorkflowUpdateFailedError('x', ApplicationFailure.create({ message: 'SOMETHING: else' })), 'BOOKING_NOT_PAYABLE')).toBeNull();
    expect(updateRefusal(new Error('HOLD_EXPIRED: the hold has expired'), 'BOOKING_NOT_PAYABLE')).toBeNull();
  });
});

describe('DependencyGate', () => {
  const log = { warn: () => undefined, info: () => undefined };
  const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('closes on a failure that shows the dependency down, answers at once while closed, and opens on the first good probe', async () => {
    let up = false;
    let probes = 0;
    const gate = new DependencyGate('temporal', {
      probe: async () => {
        probes++;
        if (!up) throw grpcError(14);
      },
      probeIntervalMs: 20,
      retryAfterSeconds: 4,
      log,
    });
    try {
      await expect(gate.run(async () => Promise.reject(grpcError(14)))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', dependency: 'temporal', retryAfterSeconds: 4 });
      expect(gate.isDown).toBe(true);
      let called = false;
      await expect(gate.run(async () => (called = true))).rejects.toBeInstanceOf(DependencyUnavailable);
      expect(called).toBe(false);
      await tick(100);
      expect(probes).toBeGreaterThan(1);
      expect(gate.isDown).toBe(true);
      up = true;
      await tick(100);
      expect(gate.isDown).toBe(false);
      await expect(gate.run(async () => 42)).resolves.toBe(42);
    } finally {
      await gate.close();
    }
  });

  it('does not close on a timeout alone (the dependency may be busy) unless its probe fails too', async () => {
    let probeFails = false;
    const gate = new DependencyGate('temporal', {
      probe: async () => {
        if (probeFails) throw grpcError(14);
      },
      probeIntervalMs: 20,
      retryAfterSeconds: 4,
      log,
    });
    try {
      await expect(gate.run(() => Promise.reject(grpcError(4)))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', kind: 'timeout' });
      await tick(30);
      expect(gate.isDown).toBe(false);
      probeFails = true;
      await expect(gate.run(() => Promise.reject(grpcError(4)))).rejects.toBeInstanceOf(DependencyUnavailable);
      await tick(30);
      expect(gate.isDown).toBe(true);
    } finally {
      await gate.close();
    }
  });

  it('passes other failures through untouched, and ignores other dependencies', async () => {
    const gate = new DependencyGate('temporal', { probe: async () => undefined, probeIntervalMs: 20, retryAfterSeconds: 4, log });
    try {
      const notFound = new WorkflowNotFoundError('gone', 'booking-1', undefined);
      await expect(gate.run(() => Promise.reject(notFound))).rejects.toBe(notFound);
      await expect(gate.run(() => Promise.reject(pgError('57P01')))).rejects.toBeInstanceOf(DatabaseError);
      expect(gate.isDown).toBe(false);
    } finally {
      await gate.close();
    }
  });
});
