// Percentiles, rates and the markdown table.

export interface Pct {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles of a list of milliseconds. */
export function percentiles(values: number[]): Pct {
  if (values.length === 0) return { n: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1]!, mean };
}

/**
 * Completions per second over the middle 80 % of completions (between the
 * 10th and 90th percentile completion times): ramp-up and the tail of the
 * last in-flight requests are left out.
 */
export function steadyRate(endTimes: number[]): number {
  if (endTimes.length < 20) return 0;
  const s = [...endTimes].sort((a, b) => a - b);
  const i10 = Math.floor(s.length * 0.1);
  const i90 = Math.floor(s.length * 0.9);
  const span = (s[i90]! - s[i10]!) / 1000;
  return span > 0 ? (i90 - i10) / span : 0;
}

export const r0 = (x: number) => Math.round(x);
export const r1 = (x: number) => Math.round(x * 10) / 10;
export const r2 = (x: number) => Math.round(x * 100) / 100;

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.map(String).join(' | ')} |`);
  return lines.join('\n');
}
