// Answers for requests that never reach a route: Node's HTTP parser refusing
// them (headers over 16 kB, a broken request line), the router refusing their
// URL (bad percent-encoding, a path parameter too long), and an `Expect:`
// header other than 100-continue. Fastify and Node answer these in their own
// shapes (or with an empty body); here they get the API's error body with a
// stable code like every other answer (found by the API fuzzer, fuzz/).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from './errors';

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  REQUEST_TIMEOUT: 'the request was not received in time',
  HEADERS_TOO_LARGE: 'the request line and headers exceed 16 kB',
  BAD_REQUEST: 'the request could not be parsed',
  EXPECTATION_FAILED: 'only "Expect: 100-continue" is supported',
};

function body(code: ErrorCode, message: string, requestId: string): string {
  const b: ErrorBody = { error: { code, message }, requestId };
  return JSON.stringify(b);
}

/** Fastify's clientErrorHandler: the parser refused the request, so only the raw socket is left to answer on. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT' : err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST';
  const text = body(code, MESSAGES[code] ?? 'bad request', `req-${randomUUID()}`);
  const status = ERROR_STATUS[code];
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${code.replace(/_/g, ' ')}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(err);
}

/**
 * Fastify's frameworkErrors: the router refused the URL before any route ran,
 * so the one error handler is not in the path; the same body is sent here.
 */
export function frameworkErrors(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const code: ErrorCode = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'URI_TOO_LONG' : 'BAD_REQUEST';
  const message = code === 'URI_TOO_LONG' ? 'a path parameter is too long' : 'the URL is not valid (bad percent-encoding?)';
  const b: ErrorBody = { error: { code, message }, requestId: req.id };
  void reply.status(ERROR_STATUS[code]).type('application/json; charset=utf-8').send(JSON.stringify(b));
}

/** Node answers an unknown `Expect:` with an empty 417 unless someone listens for it. */
export function answerUnknownExpectations(server: Server): void {
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const text = body('EXPECTATION_FAILED', MESSAGES.EXPECTATION_FAILED as string, `req-${randomUUID()}`);
    res.writeHead(ERROR_STATUS.EXPECTATION_FAILED, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
}
