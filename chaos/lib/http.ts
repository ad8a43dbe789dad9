// The chaos run's HTTP client: every request it sends is recorded with what
// came back — a status, or no answer (socket error, or the client's deadline
// passed) — so the audit can count requests without an answer and list 5xx.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface RequestRecord {
  at: number;
  method: string;
  /** Route pattern, e.g. POST /bookings/:pnr/payment. */
  route: string;
  pnr?: string;
  /** HTTP status, 0 when no answer came. */
  status: number;
  code?: string;
  ms: number;
  retryAfter?: string;
  error?: string;
}

export interface Answer {
  status: number;
  body: unknown;
  retryAfter?: string;
}

export interface RecordingClient {
  records: RequestRecord[];
  request(method: string, path: string, route: string, opts?: { body?: unknown; token?: string; headers?: Record<string, string>; pnr?: string }): Promise<Answer>;
  close(): void;
}

export function errorCode(body: unknown): string | undefined {
  const e = (body as { error?: { code?: unknown } } | null)?.error;
  return typeof e?.code === 'string' ? e.code : undefined;
}

export function recordingClient(baseUrl: string, o: { maxSockets: number; timeoutMs: number }): RecordingClient {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets });
  const records: RequestRecord[] = [];
  return {
    records,
    request(method, path, route, opts = {}) {
      const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const headers: http.OutgoingHttpHeaders = { accept: 'application/json', ...opts.headers };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const at = Date.now();
      const t0 = performance.now();
      return new Promise<Answer>((resolve) => {
        let settled = false;
        // The client's deadline for a whole answer: past it, the request counts as unanswered.
        const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
        const done = (a: Answer, error?: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          const code = errorCode(a.body);
          records.push({
            at,
            method,
            route,
            ...(opts.pnr ? { pnr: opts.pnr } : {}),
            status: a.status,
            ...(code ? { code } : {}),
            ms: Math.round(performance.now() - t0),
            ...(a.retryAfter !== undefined ? { retryAfter: a.retryAfter } : {}),
            ...(error ? { error } : {}),
          });
          resolve(a);
        };
        const req = http.request({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = null;
            try {
              body = text === '' ? null : JSON.parse(text);
            } catch {
              body = text.slice(0, 200);
            }
            const ra = res.headers['retry-after'];
            done({ status: res.statusCode ?? 0, body, ...(typeof ra === 'string' ? { retryAfter: ra } : {}) });
          });
          res.on('error', (err) => done({ status: 0, body: null }, `response: ${err.message}`));
        });
        req.on('error', (err) => done({ status: 0, body: null }, err.message));
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
