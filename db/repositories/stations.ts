import { asc, eq, ilike, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { stations, type Station } from '../schema';

export async function findStationByCode(db: DbOrTx, code: string): Promise<Station | undefined> {
  const [row] = await db.select().from(stations).where(eq(stations.code, code.toUpperCase()));
  return row;
}

/** Exact code first, then code prefixes, then name prefixes, busiest stations first. */
export async function searchStations(db: DbOrTx, query: string, limit: number): Promise<Station[]> {
  const q = query.trim();
  const prefix = `${q.replace(/[\\%_]/g, '\\$&')}%`;
  const calls = sql<number>`(select count(*) from train_stops ts where ts.station_code = ${stations.code})`;
  return db
    .select()
    .from(stations)
    .where(or(ilike(stations.code, prefix), sql`lower(${stations.name}) like lower(${prefix})`))
    .orderBy(
      sql`case when ${stations.code} = upper(${q}) then 0 when ${stations.code} ilike ${prefix} then 1 else 2 end`,
      sql`${calls} desc`,
      asc(stations.name),
    )
    .limit(limit);
}
