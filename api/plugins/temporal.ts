import type { InterceptingCall, Interceptor } from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import fp from 'fastify-plugin';
import { DependencyGate } from '../dependencyGate';

declare module 'fastify' {
  interface FastifyInstance {
    temporal: Client;
    /** Closed while Temporal is known to be down: requests that need it answer 503 at once. */
    temporalGate: DependencyGate;
    pingTemporal(): Promise<void>;
    /**
     * Runs `fn` (any number of client calls) under one deadline, `ms` from now,
     * through the gate: answered 503 at once while Temporal is down, and a
     * failure that shows it down closes the gate.
     */
    withTemporal<T>(ms: number, fn: () => Promise<T>): Promise<T>;
  }
}

/**
 * A deadline for every call that was given none (a call made outside
 * `withTemporal`, e.g. by a route that forgot): no API call to Temporal can
 * wait for ever. Explicit deadlines (withDeadline) are left as they are.
 */
function defaultDeadline(ms: number): Interceptor {
  // grpc-js accepts the next call itself as the result (its type asks for the class, which adds nothing here).
  return (options, nextCall) =>
    nextCall(options.deadline === undefined ? { ...options, deadline: Date.now() + ms } : options) as InterceptingCall;
}

export default fp<{ address: string; namespace: string; callTimeoutMs: number; retryAfterSeconds: number }>(
  async (app, opts) => {
    // Lazy: the API starts (and /readyz can say why it is not ready) even
    // while the Temporal server is still coming up.
    const connection = Connection.lazy({
      address: opts.address,
      connectTimeout: '3s',
      // gRPC backs off up to 120 s between reconnect attempts by default, so after an outage the
      // channel noticed the server's return only minutes later; 2 s at most here.
      channelArgs: { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2000 },
      // The SDK's retry interceptor retries UNAVAILABLE 10 times (with up to 5 s between tries):
      // a request then waited its whole deadline for a server that is gone. Three quick tries
      // ride over a blip; past them the gate answers 503 and probes.
      interceptors: [defaultDeadline(opts.callTimeoutMs), makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 3 }))],
    });
    const client = new Client({ connection, namespace: opts.namespace });
    const probe = async () => {
      // getSystemInfo is answered by the frontend alone (no worker, no history).
      await connection.withDeadline(Date.now() + Math.min(opts.callTimeoutMs, 2000), () => connection.workflowService.getSystemInfo({}));
    };
    const gate = new DependencyGate('temporal', { probe, probeIntervalMs: 500, retryAfterSeconds: opts.retryAfterSeconds, log: app.log });
    app.decorate('temporal', client);
    app.decorate('temporalGate', gate);
    app.decorate('pingTemporal', async () => {
      // Not connection.ensureConnected(): it memoizes its first outcome, so a failed first
      // connection would keep readiness failing after the server came back.
      await connection.withDeadline(Date.now() + Math.min(opts.callTimeoutMs, 3000), () =>
        connection.workflowService.describeNamespace({ namespace: opts.namespace }),
      );
    });
    app.decorate('withTemporal', <T>(ms: number, fn: () => Promise<T>) => gate.run(() => connection.withDeadline(Date.now() + ms, fn)));
    app.addHook('onClose', async () => {
      await gate.close();
      await connection.close();
    });
  },
  { name: 'temporal' },
);
