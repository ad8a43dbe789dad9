// The benchmark's headline: end-to-end confirmed bookings/s and holds/s of Railbook beside
// the plain-Postgres baseline of the same run (every figure also as a ratio to it), Temporal
// actions and CPU-ms per confirmed booking per process, and the floor (a bare workflow start
// on the same server) with the booking's costs as multiples of it.
import type { BaselineLevel } from './baseline';
import type { StartProbe } from './load';
import { markdownTable, r0, r1, r2 } from './stats';

export interface HeadlineLevel {
  name: string;
  kind: 'hold' | 'e2e';
  clients: number;
  rate: number | null;
  created: number;
  confirmed: number;
  notDefinite: number;
  createdPerSecond: number;
  confirmedPerSecond: number;
  holdP50: number;
  holdP99: number;
  payP50: number | null;
  payP99: number | null;
  /** CPU ms over the level and its drain, per confirmed booking (e2e) or per 201 (hold). */
  cpuMsPerUnit: Record<string, number>;
  /** The server's `action` counter over the level and its drain, per unit. */
  actionsPerUnit: number | null;
  actionsByType: Record<string, number> | null;
  /** Cloud-billed actions counted from histories (booking sample + the inventory's share), per unit. */
  historyActionsPerUnit: number | null;
  historyActionsByKind: Record<string, number> | null;
  consistent: boolean;
}

export interface Floor {
  concurrency: number;
  probe: StartProbe;
  /** CPU ms per start, per process group (the starter is the load generator). */
  cpuMsPerStart: Record<string, number>;
  actionsPerStart: number | null;
}

export interface BaselineRun {
  level: BaselineLevel;
  /** CPU ms per unit (confirmed booking for e2e, hold otherwise): Postgres backends and the Node client. */
  cpuMsPerUnit: Record<string, number>;
}

/** Processes that make up the system (the load generator is the traveller, not the system). */
export const SYSTEM = ['api', 'worker', 'temporal', 'postgres', 'redis'] as const;

/** What a bare start costs: the server, its store (Postgres, when the server uses it) and the starter. */
export const FLOOR = ['temporal', 'postgres', 'loadgen'] as const;

export const sumOf = (c: Record<string, number>, keys: readonly string[]): number => keys.reduce((a, k) => a + (c[k] ?? 0), 0);

const ratio = (a: number, b: number | undefined): string => (b && b > 0 ? `${r2(a / b)}×` : '–');

export function renderHeadline(o: {
  temporalMode: string;
  levels: HeadlineLevel[];
  baseline: BaselineRun[];
  floor: Floor | null;
}): string {
  const out: string[] = [];
  const base = (kind: 'hold' | 'e2e', clients: number, rate: number | null) =>
    o.baseline.find((b) => b.level.kind === kind && b.level.clients === clients && b.level.rate === rate)?.level;
  const baseCapacityE2e = o.baseline.filter((b) => b.level.kind === 'e2e' && b.level.rate === null).map((b) => b.level);
  const bestBaseE2e = baseCapacityE2e.sort((a, b) => b.confirmedPerSecond - a.confirmedPerSecond)[0];
  out.push(`### Headline: confirmed bookings per second (Temporal: ${o.temporalMode}), beside the plain-Postgres baseline of the same run`);
  out.push('');
  const rows: (string | number)[][] = [];
  for (const l of o.levels.filter((x) => x.kind === 'e2e')) {
    const same = base('e2e', l.clients, l.rate);
    const ref = l.rate ? bestBaseE2e : same;
    rows.push([
      l.rate ? `hold → pay → confirmed, open loop ${l.rate}/s offered` : `hold → pay → confirmed, ${l.clients} closed-loop clients`,
      `**${r1(l.confirmedPerSecond)} confirmed/s**; hold p50/p99 ${r0(l.holdP50)}/${r0(l.holdP99)} ms, pay p50/p99 ${r0(l.payP50 ?? 0)}/${r0(l.payP99 ?? 0)} ms${l.notDefinite ? `; ${l.notDefinite} without a definite answer` : ''}${l.consistent ? '' : '; CHECKS FAILED'}`,
      ref
        ? `${r1(ref.confirmedPerSecond)} confirmed/s (${ref.clients} clients, closed loop)${same && l.rate ? `; at ${l.rate}/s offered: hold p99 ${r1(same.latency.hold.p99)} ms, confirm p99 ${r1(same.latency.confirm?.p99 ?? 0)} ms` : `; hold p99 ${r1(ref.latency.hold.p99)} ms, confirm p99 ${r1(ref.latency.confirm?.p99 ?? 0)} ms`}`
        : '–',
      ratio(l.confirmedPerSecond, ref?.confirmedPerSecond),
    ]);
  }
  for (const l of o.levels.filter((x) => x.kind === 'hold' && x.clients > 1)) {
    const same = l.rate ? undefined : base('hold', l.clients, null);
    rows.push([
      l.rate ? `holds, open loop ${l.rate}/s offered` : `holds, ${l.clients} closed-loop clients`,
      `${r1(l.createdPerSecond)} holds/s; p50/p99 ${r0(l.holdP50)}/${r0(l.holdP99)} ms${l.consistent ? '' : '; CHECKS FAILED'}`,
      same ? `${r1(same.holdsPerSecond)} holds/s; p50/p99 ${r1(same.latency.hold.p50)}/${r1(same.latency.hold.p99)} ms` : '–',
      ratio(l.createdPerSecond, same?.holdsPerSecond),
    ]);
  }
  out.push(markdownTable(['what', 'Railbook', 'plain Postgres, same run', 'ratio'], rows));
  out.push('');
  out.push(
    'Ratio = Railbook / baseline. For an open-loop Railbook level the reference is the baseline\'s capacity (closed loop, the same clients as the e2e level); ' +
      'the baseline also runs the same open-loop rate, for its latency.',
  );

  const e2e = o.levels.filter((x) => x.kind === 'e2e');
  if (e2e.length > 0) {
    out.push('');
    out.push('### Cost per confirmed booking (level plus its drain; holds, reminders and the ticket included)');
    out.push('');
    const floorTotal = o.floor ? sumOf(o.floor.cpuMsPerStart, FLOOR) : null;
    const baseE2e = (l: HeadlineLevel) => o.baseline.find((b) => b.level.kind === 'e2e' && b.level.clients === l.clients && b.level.rate === l.rate);
    out.push(
      markdownTable(
        ['level', 'CPU ms: API', 'worker', 'Temporal', 'Postgres', 'Redis', 'total', '× floor', 'baseline CPU ms (Postgres + client)', '× baseline', 'Temporal actions (server counter)', 'actions from histories', '× floor'],
        e2e.map((l) => {
          const total = sumOf(l.cpuMsPerUnit, SYSTEM);
          const b = baseE2e(l);
          const bTotal = b ? sumOf(b.cpuMsPerUnit, ['postgres', 'loadgen']) : null;
          return [
            l.rate ? `${l.rate}/s open loop` : `${l.clients} clients`,
            r1(l.cpuMsPerUnit.api ?? 0),
            r1(l.cpuMsPerUnit.worker ?? 0),
            r1(l.cpuMsPerUnit.temporal ?? 0),
            r1(l.cpuMsPerUnit.postgres ?? 0),
            r1(l.cpuMsPerUnit.redis ?? 0),
            `**${r1(total)}**`,
            floorTotal ? `${r1(total / floorTotal)}×` : '–',
            bTotal === null ? '–' : `${r1(bTotal)} (P ${r1(b!.cpuMsPerUnit.postgres ?? 0)}, client ${r1(b!.cpuMsPerUnit.loadgen ?? 0)})`,
            bTotal ? `${r1(total / bTotal)}×` : '–',
            l.actionsPerUnit === null ? '–' : `**${r1(l.actionsPerUnit)}**`,
            l.historyActionsPerUnit === null ? '–' : r1(l.historyActionsPerUnit),
            l.actionsPerUnit !== null && o.floor?.actionsPerStart ? `${r1(l.actionsPerUnit / o.floor.actionsPerStart)}×` : '–',
          ];
        }),
      ),
    );
    const first = e2e.find((l) => l.actionsByType) ?? e2e[0]!;
    if (first.actionsByType || first.historyActionsByKind) {
      out.push('');
      out.push(
        `Actions per confirmed booking by type (${first.name}): server counter ${first.actionsByType ? Object.entries(first.actionsByType).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${r2(v)}`).join(', ') : '–'}; ` +
          `from histories ${first.historyActionsByKind ? Object.entries(first.historyActionsByKind).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${r2(v)}`).join(', ') : '–'}.`,
      );
    }
  }
  if (o.floor) {
    const f = o.floor;
    out.push('');
    out.push(
      `**Floor** (same server, same run): bare workflow starts, ${f.concurrency} concurrent starters, no worker on their task queue: ` +
        `**${r0(f.probe.startsPerSecond)} starts/s**, p50 ${r0(f.probe.startMs.p50)} / p99 ${r0(f.probe.startMs.p99)} ms, ${f.probe.errors} errors; ` +
        `CPU ms per start: Temporal ${r1(f.cpuMsPerStart.temporal ?? 0)}, Postgres ${r1(f.cpuMsPerStart.postgres ?? 0)}, starter ${r1(f.cpuMsPerStart.loadgen ?? 0)}, ` +
        `together ${r1(sumOf(f.cpuMsPerStart, FLOOR))}; actions per start ${f.actionsPerStart === null ? '–' : r2(f.actionsPerStart)}.`,
    );
  }
  return out.join('\n');
}
