// Temporal actions, counted two ways:
//   - the server's own `action` counter (Prometheus, `--metrics-port`), read before a level
//     and after its work has drained: every billable request and command of the namespace;
//   - from workflow histories, as Temporal Cloud bills them: start (incl. continue-as-new),
//     signal, accepted update, activity start or retry, timer, search-attribute upsert,
//     signal to / start of another workflow, 1 each (a signal between two workflows once, at
//     the sender); all local activities recorded in one workflow task count as 1. Queries and rejected updates leave nothing in a history,
//     so this count is a lower bound of the server's.
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const ET = temporal.api.enums.v1.EventType;

/** action_type → counter value, for one namespace. */
export type ActionCounts = Record<string, number>;

/** Parses the Prometheus text of the server's `action` counter (one namespace). */
export function parseActions(text: string, namespace: string): ActionCounts {
  const out: ActionCounts = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('action{')) continue;
    const close = line.lastIndexOf('}');
    const labels = line.slice('action{'.length, close);
    if (!labels.includes(`namespace="${namespace}"`)) continue;
    const type = /action_type="([^"]*)"/.exec(labels)?.[1] ?? '?';
    const value = Number(line.slice(close + 1).trim());
    if (Number.isFinite(value)) out[type] = (out[type] ?? 0) + value;
  }
  return out;
}

/** The server's action counters now (null when it has no metrics endpoint or does not answer). */
export async function scrapeActions(metricsUrl: string | null, namespace: string): Promise<ActionCounts | null> {
  if (!metricsUrl) return null;
  try {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return null;
    return parseActions(await res.text(), namespace);
  } catch {
    return null;
  }
}

/** b − a per action type (types with no change left out), and the total. */
export function actionsBetween(a: ActionCounts | null, b: ActionCounts | null): { total: number; byType: ActionCounts } | null {
  if (!a || !b) return null;
  const byType: ActionCounts = {};
  let total = 0;
  for (const [k, v] of Object.entries(b)) {
    const d = v - (a[k] ?? 0);
    if (d > 0) {
      byType[k] = d;
      total += d;
    }
  }
  return { total, byType };
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Billable actions in one history, by kind (see the header). */
export function historyActions(history: HistoryEvent[]): ActionCounts {
  const out: ActionCounts = {};
  const add = (k: string, n = 1) => {
    out[k] = (out[k] ?? 0) + n;
  };
  let localActivityInTask = false;
  for (const e of history) {
    switch (e.eventType) {
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        add('start');
        break;
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        // A signal sent by another workflow was counted there, as its command: once, not twice.
        if (!e.workflowExecutionSignaledEventAttributes?.externalWorkflowExecution?.workflowId) add('signal');
        break;
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        add('update');
        break;
      case ET.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        add('activity');
        break;
      case ET.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const attempt = num(e.activityTaskStartedEventAttributes?.attempt);
        if (attempt > 1) add('activity retry', attempt - 1);
        break;
      }
      case ET.EVENT_TYPE_TIMER_STARTED:
        add('timer');
        break;
      case ET.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        add('search-attribute upsert');
        break;
      case ET.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        add('signal (from a workflow)');
        break;
      case ET.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        add('child start');
        break;
      case ET.EVENT_TYPE_MARKER_RECORDED:
        // Local activities are recorded as markers after the task that ran them.
        if ((e.markerRecordedEventAttributes?.markerName ?? '').includes('local_activity') && !localActivityInTask) {
          add('local activities (per task)');
          localActivityInTask = true;
        }
        break;
      case ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        localActivityInTask = false;
        break;
      default:
        break;
    }
  }
  return out;
}

export function sumActions(list: ActionCounts[]): ActionCounts {
  const out: ActionCounts = {};
  for (const c of list) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export const totalActions = (c: ActionCounts): number => Object.values(c).reduce((a, b) => a + b, 0);

/** Bytes of a history as the server stores it (protobuf), and its largest single payload. */
export function historySize(history: HistoryEvent[]): { events: number; bytes: number; largestPayloadBytes: number } {
  let bytes = 0;
  let largest = 0;
  for (const e of history) {
    bytes += temporal.api.history.v1.HistoryEvent.encode(e).finish().length;
    // Payloads live in many attribute shapes: walk the event for `data` byte arrays.
    const stack: unknown[] = [e];
    while (stack.length > 0) {
      const x = stack.pop();
      if (x instanceof Uint8Array) {
        largest = Math.max(largest, x.length);
      } else if (x && typeof x === 'object') {
        for (const v of Object.values(x as Record<string, unknown>)) if (v && typeof v === 'object') stack.push(v);
      }
    }
  }
  return { events: history.length, bytes, largestPayloadBytes: largest };
}
