// A small HTTP/1.1 JSON client over node:http with keep-alive sockets. The
// load generator shares two cores with everything it measures, so it uses
// the cheapest client Node has (no fetch/undici machinery per request).
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpResult {
  /** HTTP status, or 0 when no answer came (socket error, timeout). */
  status: number;
  /** Parsed JSON body (null when empty or not JSON). */
  body: unknown;
  /** Wall time from sending to the last byte of the answer. */
  ms: number;
  /** Set when no answer came: what went wrong. */
  error?: string;
  /** Seconds of a Retry-After header, when the answer had one. */
  retryAfter?: number;
}

export interface HttpClient {
  request(method: string, path: string, body?: unknown, token?: string, extraHeaders?: Record<string, string>): Promise<HttpResult>;
  /** Closes every pooled socket. */
  close(): void;
}

export function httpClient(baseUrl: string, opts: { maxSockets: number; timeoutMs: number }): HttpClient {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets });
  return {
    request(method, path, body, token, extraHeaders) {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      if (token) headers.authorization = `Bearer ${token}`;
      if (extraHeaders) Object.assign(headers, extraHeaders);
      const t0 = performance.now();
      return new Promise<HttpResult>((resolve) => {
        let settled = false;
        const done = (r: Omit<HttpResult, 'ms'>) => {
          if (settled) return;
          settled = true;
          resolve({ ...r, ms: performance.now() - t0 });
        };
        const req = http.request(
          { host: url.hostname, port: url.port, method, path, headers, agent, timeout: opts.timeoutMs },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: unknown = null;
              try {
                parsed = text === '' ? null : JSON.parse(text);
              } catch {
                parsed = text.slice(0, 200);
              }
              const ra = Number(res.headers['retry-after']);
              done({ status: res.statusCode ?? 0, body: parsed, ...(Number.isFinite(ra) && res.headers['retry-after'] !== undefined ? { retryAfter: ra } : {}) });
            });
            res.on('error', (err) => done({ status: 0, body: null, error: `response: ${err.message}` }));
          },
        );
        req.on('timeout', () => {
          req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`));
        });
        req.on('error', (err) => done({ status: 0, body: null, error: err.message }));
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** The stable error code of an API error body, if any. */
export function errorCode(body: unknown): string | undefined {
  const e = (body as { error?: { code?: unknown } } | null)?.error;
  return typeof e?.code === 'string' ? e.code : undefined;
}
