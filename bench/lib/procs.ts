// CPU time per process group from /proc (Linux), sampled around each load
// level: on a 2-core machine the question is usually "who ate the cores".
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clkTck: number | null = null;
function ticksPerSecond(): number {
  if (clkTck === null) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    const comm = text.slice(open + 1, close);
    const rest = text.slice(close + 2).split(' ');
    // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { pid, ppid: Number(rest[1]), comm, ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null;
  }
}

function allProcs(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const s = readStat(Number(n));
    if (s) out.push(s);
  }
  return out;
}

/** pid and every live descendant of it. */
export function processTree(pid: number, procs: ProcStat[] = allProcs()): number[] {
  const children = new Map<number, number[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (!procs.some((x) => x.pid === p)) continue;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** What to measure: a process tree rooted at a pid, only a pid itself, or every process with a given name. */
export type ProcGroup =
  | { name: string; treeOf: number }
  | { name: string; pid: number }
  | { name: string; comm: string }
  /** A set that changes over time, e.g. the Postgres backends serving one database (see pgBackends.ts). */
  | { name: string; tracker: PidTracker };

/**
 * Processes that come and go (pooled Postgres connections close when idle): the live ones,
 * and the CPU seconds of those that have ended since they were first seen, so a backend
 * that worked during a level and closed before the next sample still counts.
 */
export interface PidTracker {
  pids(): number[];
  endedCpuSeconds(): number;
}

/** A process tree and a tracked set counted as one: the Temporal server and the Postgres backends of its store. */
export function treeAndTracker(pid: number, tracker: PidTracker): PidTracker {
  return {
    pids: () => [...processTree(pid), ...tracker.pids()],
    endedCpuSeconds: () => tracker.endedCpuSeconds(),
  };
}

/** CPU seconds (user + system) of one process so far, or null if it is gone. */
export function cpuSecondsOf(pid: number): number | null {
  const s = readStat(pid);
  return s ? s.ticks / ticksPerSecond() : null;
}

function groupPids(g: ProcGroup, procs: ProcStat[]): number[] {
  if ('treeOf' in g) return processTree(g.treeOf, procs);
  if ('pid' in g) return [g.pid];
  if ('tracker' in g) return g.tracker.pids();
  return procs.filter((p) => p.comm === g.comm).map((p) => p.pid);
}

/** Resident memory (MiB) per group now, from /proc/<pid>/status: VmRSS less RssShmem. */
export function sampleRss(groups: ProcGroup[]): Record<string, number> {
  const procs = allProcs();
  const out: Record<string, number> = {};
  for (const g of groups) {
    let kib = 0;
    for (const pid of groupPids(g, procs)) {
      try {
        // Resident memory less shared memory (RssShmem): a Postgres backend's RSS counts the pages of
        // shared_buffers it has touched, so summing backends' VmRSS grew with every page read (a soak showed
        // Temporal's store "growing" by 1 GiB that way); what each process holds of its own is what can leak.
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
        const shmem = Number(/RssShmem:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
        kib += rss - shmem;
      } catch {
        /* gone */
      }
    }
    out[g.name] = Math.round((kib / 1024) * 10) / 10;
  }
  return out;
}

export interface CpuSample {
  at: number;
  /** CPU seconds (user + system) per group, cumulative since each process started. */
  groups: Record<string, number>;
  /** Machine-wide busy and total CPU seconds (all cores), from /proc/stat. */
  machineBusy: number;
  machineTotal: number;
}

function machineTimes(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: (total - idle) / ticksPerSecond(), total: total / ticksPerSecond() };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export function sampleCpu(groups: ProcGroup[]): CpuSample {
  const procs = allProcs();
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const hz = ticksPerSecond();
  const out: Record<string, number> = {};
  for (const g of groups) {
    const pids = groupPids(g, procs);
    out[g.name] = pids.reduce((sum, pid) => sum + (byPid.get(pid)?.ticks ?? 0), 0) / hz + ('tracker' in g ? g.tracker.endedCpuSeconds() : 0);
  }
  const m = machineTimes();
  return { at: Date.now(), groups: out, machineBusy: m.busy, machineTotal: m.total };
}

/** Per group: share of one core used between two samples (1.0 = one full core). */
export function cpuBetween(a: CpuSample, b: CpuSample): { seconds: number; cores: Record<string, number>; machineBusyShare: number } {
  const seconds = Math.max((b.at - a.at) / 1000, 1e-3);
  const cores: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.groups)) cores[k] = Math.max(0, v - (a.groups[k] ?? 0)) / seconds;
  const total = b.machineTotal - a.machineTotal;
  return { seconds, cores, machineBusyShare: total > 0 ? (b.machineBusy - a.machineBusy) / total : 0 };
}

/** CPU seconds per thread ("pid/tid name") of the given process trees. */
export function sampleThreads(roots: number[]): { at: number; threads: Record<string, number> } {
  const procs = allProcs();
  const hz = ticksPerSecond();
  const threads: Record<string, number> = {};
  for (const root of roots) {
    for (const pid of processTree(root, procs)) {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const tid of tids) {
        try {
          const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
          const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
          const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
          threads[`${pid}/${tid} ${comm}`] = (Number(rest[11]) + Number(rest[12])) / hz;
        } catch {
          /* thread ended */
        }
      }
    }
  }
  return { at: Date.now(), threads };
}

/** The busiest threads between two samples, as shares of one core. */
export function busiestThreads(
  a: { at: number; threads: Record<string, number> },
  b: { at: number; threads: Record<string, number> },
  top: number,
): { thread: string; cores: number }[] {
  const seconds = Math.max((b.at - a.at) / 1000, 1e-3);
  return Object.entries(b.threads)
    .map(([thread, v]) => ({ thread, cores: Math.round((Math.max(0, v - (a.threads[thread] ?? 0)) / seconds) * 100) / 100 }))
    .sort((x, y) => y.cores - x.cores)
    .slice(0, top);
}
