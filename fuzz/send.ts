// Sends one request exactly as generated (node:http, not fetch: fetch refuses
// bodies on GET and rewrites odd paths) and waits at most `deadlineMs` for the
// whole answer.
import http from 'node:http';
import type { FuzzRequest } from './generate';
import type { Outcome } from './oracle';

// A connection of its own per request (agent: false): with a shared agent, a
// request the server cuts off (headers over its limit) also failed requests
// queued behind it in the same client, which no other client would see.
export function send(baseUrl: string, req: FuzzRequest, deadlineMs: number): Promise<Outcome> {
  const url = new URL(baseUrl);
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const done = (o: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    let r: http.ClientRequest;
    try {
      r = http.request({
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { ...req.headers, ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}) },
        agent: false,
      });
    } catch (err) {
      // Node refuses some header bytes and paths: the request never left.
      resolve({ kind: 'not-sent', error: (err as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      done({ kind: 'timeout', ms: ms() });
      r.destroy();
    }, deadlineMs);
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        done({ kind: 'answer', ms: ms(), answer: { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') } }),
      );
      res.on('error', (err) => done({ kind: 'network', error: err.message, ms: ms() }));
    });
    r.on('error', (err) => done({ kind: 'network', error: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.trim(), ms: ms() }));
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}
