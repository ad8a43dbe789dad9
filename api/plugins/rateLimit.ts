import fp from 'fastify-plugin';
import { AppError } from '../errors';

declare module 'fastify' {
  interface FastifyInstance {
    /** Throws RATE_LIMITED when `key` was hit more than `limit` times in the current window. */
    rateLimit(key: string, limit: number, windowSec: number): Promise<void>;
  }
}

// A fixed window in Redis, shared by every API process. If Redis is down the
// request is let through: losing the limiter must not take logins down.
export default fp(
  async (app) => {
    app.decorate('rateLimit', async (key: string, limit: number, windowSec: number) => {
      const window = Math.floor(Date.now() / 1000 / windowSec);
      const redisKey = `rl:${key}:${window}`;
      let count: number;
      try {
        const res = await app.redis.multi().incr(redisKey).expire(redisKey, windowSec).exec();
        count = Number(res?.[0]?.[1] ?? 0);
      } catch (err) {
        app.log.warn({ err: (err as Error).message }, 'rate limiter unavailable');
        return;
      }
      if (count > limit) {
        throw new AppError('RATE_LIMITED', `too many requests; try again in under ${windowSec} s`);
      }
    });
  },
  { name: 'rate-limit', dependencies: ['redis'] },
);
