// Where the time goes inside Temporal, read from workflow histories after a
// level: how long workflow tasks and activities waited in the task queue
// (scheduled → started: the worker had no free slot or was slow to poll) and
// how long they ran (started → completed), and how long updates took from
// acceptance to completion.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { percentiles, r1, type Pct } from './stats';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const ET = temporal.api.enums.v1.EventType;

export interface Breakdown {
  workflows: number;
  events: number;
  /** Workflow tasks: queue wait and run time. */
  workflowTaskQueue: Pct;
  workflowTaskRun: Pct;
  /** Per activity type. */
  activities: Record<string, { queue: Pct; run: Pct }>;
  /** Update accepted → completed (for a pay update: the payment and the confirmation). */
  updates: Pct;
  /** Updates accepted per workflow task that accepted any (how many messages one task handled). */
  updatesPerTask: Pct;
  /** The largest gaps between consecutive events, by event-type pair: total ms per workflow, p50 and count. */
  gaps: { pair: string; count: number; p50: number; msPerWorkflow: number }[];
}

const short = (t: number | null | undefined): string =>
  (ET[t ?? 0] ?? String(t))
    .replace(/^EVENT_TYPE_/, '')
    .replace('WORKFLOW_EXECUTION_', 'WF_')
    .replace('WORKFLOW_TASK_', 'WFT_')
    .replace('ACTIVITY_TASK_', 'ACT_');

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ms = (e: HistoryEvent): number => num(e.eventTime?.seconds) * 1000 + num(e.eventTime?.nanos) / 1e6;

const round = (p: Pct): Pct => ({ n: p.n, p50: r1(p.p50), p90: r1(p.p90), p99: r1(p.p99), max: r1(p.max), mean: r1(p.mean) });

export function analyse(histories: HistoryEvent[][]): Breakdown {
  const wftQueue: number[] = [];
  const wftRun: number[] = [];
  const acts = new Map<string, { queue: number[]; run: number[] }>();
  const updates: number[] = [];
  const updatesPerTask: number[] = [];
  const gapsByPair = new Map<string, number[]>();
  let events = 0;
  for (const history of histories) {
    events += history.length;
    for (let i = 1; i < history.length; i++) {
      const a = history[i - 1]!;
      const b = history[i]!;
      const pair = `${short(a.eventType)} → ${short(b.eventType)}`;
      const list = gapsByPair.get(pair) ?? [];
      list.push(ms(b) - ms(a));
      gapsByPair.set(pair, list);
    }
    const byId = new Map<number, HistoryEvent>();
    let acceptedInTask = 0;
    for (const e of history) {
      byId.set(num(e.eventId), e);
      switch (e.eventType) {
        case ET.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
          const s = byId.get(num(e.workflowTaskStartedEventAttributes?.scheduledEventId));
          if (s) wftQueue.push(ms(e) - ms(s));
          break;
        }
        case ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
          const s = byId.get(num(e.workflowTaskCompletedEventAttributes?.startedEventId));
          if (s) wftRun.push(ms(e) - ms(s));
          if (acceptedInTask > 0) updatesPerTask.push(acceptedInTask);
          acceptedInTask = 0;
          break;
        }
        case ET.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
          const s = byId.get(num(e.activityTaskStartedEventAttributes?.scheduledEventId));
          const type = s?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
          if (s) {
            const a = acts.get(type) ?? { queue: [], run: [] };
            a.queue.push(ms(e) - ms(s));
            acts.set(type, a);
          }
          break;
        }
        case ET.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
          const st = byId.get(num(e.activityTaskCompletedEventAttributes?.startedEventId));
          const s = byId.get(num(e.activityTaskCompletedEventAttributes?.scheduledEventId));
          const type = s?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
          if (st) {
            const a = acts.get(type) ?? { queue: [], run: [] };
            a.run.push(ms(e) - ms(st));
            acts.set(type, a);
          }
          break;
        }
        case ET.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
          acceptedInTask += 1;
          break;
        case ET.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: {
          const accepted = byId.get(num(e.workflowExecutionUpdateCompletedEventAttributes?.acceptedEventId));
          if (accepted) updates.push(ms(e) - ms(accepted));
          break;
        }
        default:
          break;
      }
    }
  }
  const activities: Breakdown['activities'] = {};
  for (const [type, a] of acts) activities[type] = { queue: round(percentiles(a.queue)), run: round(percentiles(a.run)) };
  const gaps = [...gapsByPair.entries()]
    .map(([pair, list]) => ({
      pair,
      count: list.length,
      p50: r1(percentiles(list).p50),
      msPerWorkflow: r1(list.reduce((x, y) => x + y, 0) / Math.max(histories.length, 1)),
    }))
    .sort((x, y) => y.msPerWorkflow - x.msPerWorkflow)
    .slice(0, 10);
  return {
    workflows: histories.length,
    gaps,
    events,
    workflowTaskQueue: round(percentiles(wftQueue)),
    workflowTaskRun: round(percentiles(wftRun)),
    activities,
    updates: round(percentiles(updates)),
    updatesPerTask: round(percentiles(updatesPerTask)),
  };
}

/** Histories of the given workflows (the current run of each); missing ones are skipped. */
export async function fetchHistories(client: Client, workflowIds: string[]): Promise<HistoryEvent[][]> {
  const out: HistoryEvent[][] = [];
  for (const id of workflowIds) {
    try {
      const h = await client.workflow.getHandle(id).fetchHistory();
      out.push(h.events ?? []);
    } catch {
      // gone or not visible: skip
    }
  }
  return out;
}

/** The workflow tasks that accepted updates, in order: queue and run time, and how many updates each accepted. */
export function updateTasks(history: HistoryEvent[]): { queue: number; run: number; updates: number }[] {
  const out: { queue: number; run: number; updates: number }[] = [];
  const byId = new Map<number, HistoryEvent>();
  let accepted = 0;
  for (const e of history) {
    byId.set(num(e.eventId), e);
    if (e.eventType === ET.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) accepted += 1;
    if (e.eventType === ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      const started = byId.get(num(e.workflowTaskCompletedEventAttributes?.startedEventId));
      const scheduled = byId.get(num(e.workflowTaskCompletedEventAttributes?.scheduledEventId));
      if (accepted > 0 && started && scheduled) out.push({ queue: ms(started) - ms(scheduled), run: ms(e) - ms(started), updates: accepted });
      accepted = 0;
    }
  }
  return out;
}
