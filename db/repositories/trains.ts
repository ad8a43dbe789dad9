import { aliasedTable, and, asc, eq, lt, sql } from 'drizzle-orm';
import type { SearchCandidate, StopTiming } from '../../domain/search';
import type { DbOrTx } from '../client';
import { stations, trainCoaches, trainStops, trains, type Train } from '../schema';

export async function findTrain(db: DbOrTx, number: string): Promise<Train | undefined> {
  const [row] = await db.select().from(trains).where(eq(trains.number, number));
  return row;
}

export async function trainClasses(db: DbOrTx, number: string): Promise<{ classCode: string; coaches: string[] }[]> {
  const rows = await db
    .select({ classCode: trainCoaches.classCode, coach: trainCoaches.coach })
    .from(trainCoaches)
    .where(eq(trainCoaches.trainNumber, number))
    .orderBy(asc(trainCoaches.position));
  const byClass = new Map<string, string[]>();
  for (const r of rows) byClass.set(r.classCode, [...(byClass.get(r.classCode) ?? []), r.coach]);
  return [...byClass].map(([classCode, coaches]) => ({ classCode, coaches }));
}

export async function trainRoute(db: DbOrTx, number: string): Promise<StopTiming[]> {
  return db
    .select({
      seq: trainStops.seq,
      stationCode: trainStops.stationCode,
      stationName: stations.name,
      kmFromOrigin: trainStops.kmFromOrigin,
      arrivalDay: trainStops.arrivalDay,
      arrivalMin: trainStops.arrivalMin,
      departureDay: trainStops.departureDay,
      departureMin: trainStops.departureMin,
    })
    .from(trainStops)
    .innerJoin(stations, eq(stations.code, trainStops.stationCode))
    .where(eq(trainStops.trainNumber, number))
    .orderBy(asc(trainStops.seq));
}

/** Every train that calls at `from` before `to`, whatever the date; the date rules are in domain/search. */
export async function searchCandidates(db: DbOrTx, from: string, to: string): Promise<SearchCandidate[]> {
  const a = aliasedTable(trainStops, 'a');
  const b = aliasedTable(trainStops, 'b');
  const sa = aliasedTable(stations, 'sa');
  const sb = aliasedTable(stations, 'sb');
  const rows = await db
    .select({
      trainNumber: trains.number,
      trainName: trains.name,
      kind: trains.kind,
      runsOn: trains.runsOn,
      classes: sql<string[]>`coalesce((select array_agg(distinct tc.class_code order by tc.class_code) from train_coaches tc where tc.train_number = ${trains.number}), '{}')`,
      a: {
        seq: a.seq,
        stationCode: a.stationCode,
        stationName: sa.name,
        kmFromOrigin: a.kmFromOrigin,
        arrivalDay: a.arrivalDay,
        arrivalMin: a.arrivalMin,
        departureDay: a.departureDay,
        departureMin: a.departureMin,
      },
      b: {
        seq: b.seq,
        stationCode: b.stationCode,
        stationName: sb.name,
        kmFromOrigin: b.kmFromOrigin,
        arrivalDay: b.arrivalDay,
        arrivalMin: b.arrivalMin,
        departureDay: b.departureDay,
        departureMin: b.departureMin,
      },
    })
    .from(a)
    .innerJoin(b, and(eq(b.trainNumber, a.trainNumber), lt(a.seq, b.seq)))
    .innerJoin(trains, eq(trains.number, a.trainNumber))
    .innerJoin(sa, eq(sa.code, a.stationCode))
    .innerJoin(sb, eq(sb.code, b.stationCode))
    .where(and(eq(a.stationCode, from), eq(b.stationCode, to)));
  return rows.map((r) => ({
    trainNumber: r.trainNumber,
    trainName: r.trainName,
    kind: r.kind,
    runsOn: r.runsOn,
    classes: r.classes,
    from: r.a,
    to: r.b,
  }));
}

/** Every berth of a train's class in coach order, and the number of stops: an inventory's layout. */
export async function inventoryLayout(
  db: DbOrTx,
  trainNumber: string,
  classCode: string,
): Promise<{ stopCount: number; berths: { coach: string; berthNo: number; type: string }[] }> {
  const berths = await db.execute<{ coach: string; berth_no: number; berth_type: string }>(sql`
    select tc.coach, b.berth_no, b.berth_type
    from train_coaches tc
    join coach_layout_berths b on b.class_code = tc.class_code
    where tc.train_number = ${trainNumber} and tc.class_code = ${classCode}
    order by tc.position, b.berth_no`);
  const [stops] = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from train_stops where train_number = ${trainNumber}`,
  ).then((r) => r.rows);
  return {
    stopCount: stops?.n ?? 0,
    berths: berths.rows.map((r) => ({ coach: r.coach, berthNo: r.berth_no, type: r.berth_type })),
  };
}
