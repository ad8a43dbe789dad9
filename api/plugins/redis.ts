import fp from 'fastify-plugin';
import { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
  }
}

export default fp<{ redisUrl: string; commandTimeoutMs: number }>(
  async (app, opts) => {
    // Fail a command quickly when Redis is away instead of queueing it forever
    // (no offline queue: rejected at once while disconnected), and give each
    // command a deadline for a Redis that accepts but does not answer.
    const redis = new Redis(opts.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      commandTimeout: opts.commandTimeoutMs,
      // Reconnect every 0.1–1 s while away, so Redis is used again within a second of its return.
      retryStrategy: (times) => Math.min(100 * times, 1000),
    });
    redis.on('error', (err) => app.log.warn({ err: err.message }, 'redis error'));
    await redis.connect().catch((err: Error) => app.log.warn({ err: err.message }, 'redis not reachable at start'));
    app.decorate('redis', redis);
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  },
  { name: 'redis' },
);
