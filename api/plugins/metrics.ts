// Prometheus metrics for the API, served at GET /metrics.
//
// Every app owns its own Registry (never prom-client's global one), so tests
// that build several apps in one process do not collide. The default Node
// process metrics (CPU, memory, event loop, GC) describe the process, not the
// app: they are collected once per process and merged into each app's registry.
//
// Request metrics are labelled with the route PATTERN (`/bookings/:pnr`), never
// the raw URL, so the number of series stays bounded; requests that match no
// route are labelled `not_found`. /metrics itself is not counted.
//
// /metrics is not public: it answers a bearer token equal to METRICS_TOKEN
// (for Prometheus; compared in constant time) or an admin's JWT, and 401/403
// otherwise. Without METRICS_TOKEN only admins can read it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { AppError } from '../errors';

export const METRICS_PREFIX = 'railbook_api_';
const METRICS_PATH = '/metrics';

/** Booking outcomes counted by `bookings_total`; each series exists (at 0) from start-up. */
export const BOOKING_OUTCOMES = ['held', 'no_seats', 'confirmed', 'payment_declined', 'payment_pending', 'cancelled'] as const;
export type BookingOutcome = (typeof BOOKING_OUTCOMES)[number];

declare module 'fastify' {
  interface FastifyInstance {
    metrics: {
      /** Counts one booking outcome in `railbook_api_bookings_total{outcome}`. */
      bookingOutcome(outcome: BookingOutcome): void;
      registry: Registry;
    };
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The scraper's token, or an admin. */
async function mayReadMetrics(req: FastifyRequest, token: string | null): Promise<void> {
  const auth = req.headers.authorization ?? '';
  const bearer = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
  if (!bearer) throw new AppError('UNAUTHORIZED', 'metrics need a bearer token (METRICS_TOKEN or an admin JWT)');
  // Digests have equal lengths, so the comparison takes the same time whatever was sent.
  if (token !== null && timingSafeEqual(digest(bearer), digest(token))) return;
  try {
    await req.jwtVerify();
  } catch {
    throw new AppError('UNAUTHORIZED', 'metrics need a bearer token (METRICS_TOKEN or an admin JWT)');
  }
  if (req.user.role !== 'admin') throw new AppError('FORBIDDEN', 'metrics are for admins and the metrics scraper');
}

let processRegistry: Registry | null = null;
/** Default Node metrics, once per process (their collectors hold process-wide observers). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: METRICS_PREFIX });
  }
  return processRegistry;
}

export default fp(
  async (app) => {
    const own = new Registry();
    const labelNames = ['method', 'route', 'status_code'] as const;
    const requests = new Counter({
      name: `${METRICS_PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames,
      registers: [own],
    });
    const duration = new Histogram({
      name: `${METRICS_PREFIX}http_request_duration_seconds`,
      help: 'HTTP request duration in seconds, by method, route pattern and status code',
      labelNames,
      // Up to 30 s: a payment request may wait PAYMENT_WAIT_SECONDS (default 25) for its outcome.
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [own],
    });
    const bookings = new Counter({
      name: `${METRICS_PREFIX}bookings_total`,
      help: `Booking outcomes answered by the API: ${BOOKING_OUTCOMES.join(', ')}`,
      labelNames: ['outcome'] as const,
      registers: [own],
    });
    for (const outcome of BOOKING_OUTCOMES) bookings.inc({ outcome }, 0);

    const registry = Registry.merge([processMetrics(), own]);
    app.decorate('metrics', {
      bookingOutcome: (outcome: BookingOutcome) => bookings.inc({ outcome }),
      registry,
    });

    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url;
      if (route === METRICS_PATH) return;
      const labels = { method: req.method, route: route ?? 'not_found', status_code: String(reply.statusCode) };
      requests.inc(labels);
      duration.observe(labels, reply.elapsedTime / 1000);
    });

    const token = app.config.metricsToken;
    app.get(METRICS_PATH, { schema: { hide: true }, onRequest: [(req) => mayReadMetrics(req, token)] }, async (_req, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    });
  },
  { name: 'metrics' },
);
