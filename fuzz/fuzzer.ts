// Runs a fuzzing session against a running API: reads its OpenAPI document,
// prepares the world (accounts, a real booking, a train of its own), sends
// `count` generated requests a few at a time, judges every answer, and returns
// the summary (requests per route, statuses, codes, violations with how to
// reproduce them).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_STATUS } from '../api/errors';
import { Generator, type FuzzRequest } from './generate';
import { documentedCodesFromReadme, judge, type Outcome, type Rules, type ViolationKind } from './oracle';
import { send } from './send';
import { fetchOperations } from './spec';
import { prepareWorld, type WorldOptions } from './world';

export interface FuzzOptions extends WorldOptions {
  baseUrl: string;
  count: number;
  seed: number;
  concurrency?: number;
  deadlineMs?: number;
  /** Only these request indexes (to reproduce a violation). */
  only?: number[];
  /** Called every so often with the number of requests answered. */
  progress?: (done: number, total: number) => void;
}

export interface Violation {
  index: number;
  kind: ViolationKind;
  detail: string;
  op: string;
  mutation: string;
  request: { method: string; path: string; headers: Record<string, string>; body?: string };
  answer?: { status: number; body: string };
  reproduce: string;
}

export interface Summary {
  seed: number;
  count: number;
  baseUrl: string;
  startedAt: string;
  durationMs: number;
  concurrency: number;
  deadlineMs: number;
  requests: number;
  notSent: number;
  latencyMs: { p50: number; p99: number; max: number };
  statuses: Record<string, number>;
  codes: Record<string, number>;
  mutations: Record<string, number>;
  perRoute: Record<string, { requests: number; statuses: Record<string, number> }>;
  /** One sample per sort of violation (kind, route, mutation, status), up to 500. */
  violations: { total: number; byKind: Record<string, number>; byRoute: Record<string, number>; samples: Violation[] };
}

const REPO = path.resolve(__dirname, '..');
const cut = (s: string | undefined, n: number) => (s === undefined || s.length <= n ? s : `${s.slice(0, n)}… (${s.length} chars)`);
const bump = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

export function loadRules(readmePath = path.join(REPO, 'README.md')): Rules {
  return { errorStatus: ERROR_STATUS, documentedCodes: documentedCodesFromReadme(readFileSync(readmePath, 'utf8')) };
}

function errorCode(outcome: Outcome): string | undefined {
  if (outcome.kind !== 'answer' || outcome.answer.status < 400) return undefined;
  try {
    const code = (JSON.parse(outcome.answer.body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

export async function fuzz(opts: FuzzOptions): Promise<Summary> {
  const concurrency = opts.concurrency ?? 8;
  const deadlineMs = opts.deadlineMs ?? 10_000;
  const rules = loadRules();
  const ops = await fetchOperations(opts.baseUrl);
  const world = await prepareWorld(opts.baseUrl, opts);
  const generator = new Generator(ops, world);
  const indexes = opts.only ?? Array.from({ length: opts.count }, (_, i) => i);

  const startedAt = new Date();
  const t0 = performance.now();
  const s: Summary = {
    seed: opts.seed,
    count: indexes.length,
    baseUrl: opts.baseUrl,
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    concurrency,
    deadlineMs,
    requests: 0,
    notSent: 0,
    latencyMs: { p50: 0, p99: 0, max: 0 },
    statuses: {},
    codes: {},
    mutations: {},
    perRoute: Object.fromEntries(ops.map((o) => [o.id, { requests: 0, statuses: {} }])),
    violations: { total: 0, byKind: {}, byRoute: {}, samples: [] },
  };
  const latencies: number[] = [];
  const sampled = new Set<string>();

  const record = (req: FuzzRequest, outcome: Outcome) => {
    bump(s.mutations, req.mutation);
    if (outcome.kind === 'not-sent') {
      s.notSent += 1;
      return;
    }
    s.requests += 1;
    latencies.push(outcome.ms);
    const route = s.perRoute[req.op]!;
    route.requests += 1;
    const status = outcome.kind === 'answer' ? String(outcome.answer.status) : outcome.kind;
    bump(s.statuses, status);
    bump(route.statuses, status);
    const code = errorCode(outcome);
    if (code) bump(s.codes, code);
    for (const v of judge(outcome, req, rules)) {
      s.violations.total += 1;
      bump(s.violations.byKind, v.kind);
      bump(s.violations.byRoute, req.op);
      // Keep a few of each sort, not thousands of the same.
      const sort = `${v.kind}|${req.op}|${req.mutation}|${status}`;
      if (sampled.has(sort) || s.violations.samples.length >= 500) continue;
      sampled.add(sort);
      s.violations.samples.push({
        index: req.index,
        kind: v.kind,
        detail: v.detail,
        op: req.op,
        mutation: req.mutation,
        request: { method: req.method, path: cut(req.path, 300)!, headers: Object.fromEntries(Object.entries(req.headers).map(([k, h]) => [k, cut(h, 300)!])), body: cut(req.body, 500) },
        answer: outcome.kind === 'answer' ? { status: outcome.answer.status, body: cut(outcome.answer.body, 500)! } : undefined,
        reproduce: `npm run fuzz -- --seed ${opts.seed} --only ${req.index}`,
      });
    }
  };

  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < indexes.length) {
      const index = indexes[next++]!;
      const req = generator.request(opts.seed, index);
      record(req, await send(opts.baseUrl, req, deadlineMs));
      done += 1;
      if (done % 500 === 0) opts.progress?.(done, indexes.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));

  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  s.latencyMs = { p50: q(0.5), p99: q(0.99), max: latencies.at(-1) ?? 0 };
  s.durationMs = Math.round(performance.now() - t0);
  return s;
}
