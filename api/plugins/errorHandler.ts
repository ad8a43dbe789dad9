import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { classifyUnavailable, DependencyUnavailable } from '../dependencies';
import { AppError, type ErrorBody, type ErrorCode } from '../errors';

// Fastify's own client errors, mapped to our stable codes.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

function toAppError(err: FastifyError): AppError | null {
  if (err instanceof AppError) return err;
  if (err.validation) {
    const details = err.validation.map((v) => ({
      field: `${err.validationContext ?? ''}${v.instancePath}`.replace(/\//g, '.'),
      message: v.message,
    }));
    return new AppError('VALIDATION_ERROR', err.message, details);
  }
  const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (mapped) return new AppError(mapped, err.message);
  if (err instanceof SyntaxError) return new AppError('INVALID_JSON', 'request body is not valid JSON');
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new AppError('BAD_REQUEST', err.message);
  return null;
}

export default fp(
  async (app) => {
    const retryAfter = String(app.config.deadlines.retryAfterSeconds);
    app.setErrorHandler((err: FastifyError, req, reply) => {
      let appErr = toAppError(err);
      if (!appErr) {
        // A dependency that is down or too slow: by the error's type and code
        // (api/dependencies.ts). Its gate learns of it too, so the next
        // requests that need it are answered at once.
        const verdict = classifyUnavailable(err);
        if (verdict) {
          const gate = verdict.dependency === 'temporal' ? app.temporalGate : verdict.dependency === 'postgres' ? app.postgresGate : undefined;
          gate?.report(err);
          req.log.warn({ err: err.message, dependency: verdict.dependency, kind: verdict.kind }, 'dependency unavailable');
          appErr = new DependencyUnavailable(verdict.dependency, verdict.kind, app.config.deadlines.retryAfterSeconds);
        }
      }
      if (appErr) {
        if (appErr.status === 503 && !reply.hasHeader('retry-after')) {
          reply.header('retry-after', appErr instanceof DependencyUnavailable ? String(appErr.retryAfterSeconds) : retryAfter);
        }
        const body: ErrorBody = {
          error: { code: appErr.code, message: appErr.message, details: appErr.details },
          requestId: req.id,
        };
        return reply.status(appErr.status).send(body);
      }
      // Anything else is our fault: log it whole, answer without internals.
      req.log.error({ err }, 'unhandled error');
      const code: ErrorCode = 'INTERNAL_ERROR';
      const body: ErrorBody = { error: { code, message: 'internal error' }, requestId: req.id };
      return reply.status(500).send(body);
    });
    app.setNotFoundHandler((req, reply) => {
      const body: ErrorBody = {
        error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` },
        requestId: req.id,
      };
      return reply.status(404).send(body);
    });
  },
  { name: 'error-handler' },
);
