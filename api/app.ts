// Builds the Fastify app from config; api/server.ts starts it, tests inject
// into it. Infrastructure clients are plugins that close themselves.
import helmet from '@fastify/helmet';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config';
import authPlugin from './plugins/auth';
import bookingServices from './plugins/booking';
import dbPlugin from './plugins/db';
import docsPlugin from './plugins/docs';
import errorHandler from './plugins/errorHandler';
import metricsPlugin from './plugins/metrics';
import rateLimitPlugin from './plugins/rateLimit';
import redisPlugin from './plugins/redis';
import temporalPlugin from './plugins/temporal';
import adminRoutes from './routes/admin';
import chartRoutes from './routes/charts';
import authRoutes from './routes/auth';
import bookingRoutes from './routes/bookings';
import catalogRoutes from './routes/catalog';
import healthRoutes from './routes/health';
import supportRoutes from './routes/support';
import ticketRoutes from './routes/tickets';
import { BookingViewSchema, ErrorResponse } from './schemas';
import { answerUnknownExpectations, clientErrorHandler, frameworkErrors } from './clientErrors';

export async function buildApp(config: Config, opts: { logger?: FastifyServerOptions['logger'] } = {}) {
  const app = Fastify({
    logger: opts.logger ?? {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'body.password'],
    },
    // Routes with small bodies set lower limits (api/routes/bookings.ts); a larger body is 413 PAYLOAD_TOO_LARGE.
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
    clientErrorHandler,
    frameworkErrors,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  answerUnknownExpectations(app.server);
  app.decorate('config', config);
  app.addSchema(ErrorResponse);
  app.addSchema(BookingViewSchema);
  await app.register(errorHandler);
  // Security headers on every answer. The API serves JSON only, so its CSP allows nothing to run;
  // /docs sets its own (api/plugins/docs.ts). No upgrade-insecure-requests: local dev is plain http.
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  await app.register(metricsPlugin);
  await app.register(docsPlugin);
  const { deadlines } = config;
  await app.register(dbPlugin, {
    databaseUrl: config.databaseUrl,
    connectTimeoutMs: deadlines.postgresConnectMs,
    statementTimeoutMs: deadlines.postgresStatementMs,
    retryAfterSeconds: deadlines.retryAfterSeconds,
  });
  await app.register(redisPlugin, { redisUrl: config.redisUrl, commandTimeoutMs: deadlines.redisCommandMs });
  await app.register(temporalPlugin, {
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    callTimeoutMs: deadlines.temporalCallMs,
    retryAfterSeconds: deadlines.retryAfterSeconds,
  });
  await app.register(rateLimitPlugin);
  await app.register(authPlugin, { secret: config.jwt.secret, expiresIn: config.jwt.expiresIn });
  await app.register(bookingServices);

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(catalogRoutes);
  await app.register(bookingRoutes);
  await app.register(supportRoutes);
  await app.register(ticketRoutes);
  await app.register(adminRoutes);
  await app.register(chartRoutes);
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

export type App = Awaited<ReturnType<typeof buildApp>>;
