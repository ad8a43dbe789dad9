// Prepared charts (run_charts): written once by the inventory actor's activity, read by staff through the API.
import { and, eq, sql } from 'drizzle-orm';
import type { ChartRecord } from '../../contracts/inventory';
import type { DbOrTx } from '../client';
import { runCharts, type RunChartRow } from '../schema';

/** Writes the chart; a repeat (the activity retried) keeps the first. */
export async function saveChart(db: DbOrTx, r: ChartRecord): Promise<void> {
  await db
    .insert(runCharts)
    .values({
      trainNumber: r.trainNumber,
      runDate: r.runDate,
      classCode: r.classCode,
      preparedAt: new Date(r.preparedAt),
      preparedBy: r.by,
      workflowId: r.workflowId,
      summary: { releasedToGeneral: r.releasedToGeneral, unpaidReleased: r.unpaidReleased, counts: r.chart.counts },
      chart: r.chart,
    })
    .onConflictDoNothing();
}

export async function findChart(db: DbOrTx, trainNumber: string, runDate: string, classCode: string): Promise<RunChartRow | undefined> {
  const [row] = await db
    .select()
    .from(runCharts)
    .where(and(eq(runCharts.trainNumber, trainNumber), eq(runCharts.runDate, runDate), eq(runCharts.classCode, classCode)));
  return row;
}

/** Passenger names of the given PNRs, keyed `<pnr>#<idx>` (the chart carries positions, not names). */
export async function passengerNames(db: DbOrTx, pnrs: readonly string[]): Promise<Map<string, { name: string; age: number; gender: string }>> {
  if (pnrs.length === 0) return new Map();
  const { rows } = await db.execute<{ pnr: string; idx: number; name: string; age: number; gender: string }>(sql`
    select pnr, idx, name, age, gender from passengers where pnr in (${sql.join(pnrs.map((p) => sql`${p}`), sql`, `)})`);
  return new Map(rows.map((r) => [`${r.pnr}#${r.idx}`, { name: r.name, age: r.age, gender: r.gender }]));
}
