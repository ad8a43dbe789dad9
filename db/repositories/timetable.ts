// Operators' changes to the timetable: one train, its stops and its coaches,
// replaced together in a transaction.
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { trainCoaches, trainStops, trains, type NewTrain, type NewTrainCoach, type NewTrainStop } from '../schema';

export async function replaceTrain(
  db: DbOrTx,
  train: NewTrain,
  stops: Omit<NewTrainStop, 'trainNumber'>[],
  coaches: Omit<NewTrainCoach, 'trainNumber'>[],
): Promise<void> {
  const { number, ...rest } = train;
  await db.insert(trains).values(train).onConflictDoUpdate({ target: trains.number, set: { ...rest, updatedAt: new Date() } });
  await db.delete(trainStops).where(eq(trainStops.trainNumber, number));
  await db.insert(trainStops).values(stops.map((s) => ({ ...s, trainNumber: number })));
  await db.delete(trainCoaches).where(eq(trainCoaches.trainNumber, number));
  await db.insert(trainCoaches).values(coaches.map((c) => ({ ...c, trainNumber: number })));
}
