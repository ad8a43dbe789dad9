// Abuse limits on writes, with @fastify/rate-limit and its Redis store (so
// every API process shares the counts). Every POST/PUT/DELETE/PATCH counts
// against its signed-in user, or against the client IP when there is none;
// reads are not limited here. Routes may set their own limit in
// `config.rateLimit` (login per account, registration per IP: see
// loginLimit/registrationLimit below). The window is fixed, from the first
// request in it.
//
// Defaults (config/index.ts, README "Configuration") are generous: 6,000
// writes a minute per user and 600 per IP, so the benchmark's hundreds of
// holds a second from 25 accounts are never throttled; they stop floods.
//
// If Redis is down or slow the limiter fails open (skipOnError; each Redis
// command has REDIS_COMMAND_TIMEOUT_MS and no offline queue): losing the
// limiter must never take bookings or logins down.
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config';
import { AppError } from '../errors';

const WRITES = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

function rateLimited(after: string, max: number): AppError {
  return new AppError('RATE_LIMITED', `too many requests; retry in ${after}`, { limit: max });
}

/** POST /auth/login: attempts per account (email, any case), whoever sends them. */
export function loginLimit(config: Config): RateLimitOptions {
  return {
    max: config.rateLimit.loginsPerAccount,
    timeWindow: config.rateLimit.windowSeconds * 1000,
    keyGenerator: (req: FastifyRequest) => {
      const email = (req.body as { email?: unknown } | undefined)?.email;
      // The body is not validated yet: bound the key to an email's maximum length.
      return typeof email === 'string' ? `login:${email.trim().toLowerCase().slice(0, 254)}` : `ip:${req.ip}`;
    },
  };
}

/** POST /auth/register: accounts created per client IP. */
export function registrationLimit(config: Config): RateLimitOptions {
  return {
    max: config.rateLimit.registrationsPerIp,
    timeWindow: config.rateLimit.windowSeconds * 1000,
    keyGenerator: (req: FastifyRequest) => `register:${req.ip}`,
  };
}

export default fp(
  async (app) => {
    const limits = app.config.rateLimit;
    await app.register(rateLimit, {
      global: true,
      // After authentication (the route's onRequest) and body parsing, before validation: the key is the
      // verified user, a login's key is its account, and invalid bodies count too.
      hook: 'preValidation',
      redis: app.redis,
      nameSpace: 'rl:',
      skipOnError: true,
      timeWindow: limits.windowSeconds * 1000,
      keyGenerator: (req) => (req.user?.sub !== undefined ? `user:${req.user.sub}` : `ip:${req.ip}`),
      max: (_req, key) => (key.startsWith('user:') ? limits.writesPerUser : limits.writesPerIp),
      allowList: (req) => !WRITES.has(req.method),
      // Our error shape (code RATE_LIMITED); the plugin has already set Retry-After and the x-ratelimit-* headers.
      errorResponseBuilder: (_req, ctx) => rateLimited(ctx.after, ctx.max),
    });
  },
  { name: 'rate-limit', dependencies: ['redis'] },
);
