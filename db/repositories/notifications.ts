import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { notifications, type NewNotification, type Notification } from '../schema';

/**
 * Records the intent to send (once per dedupe key) and returns the row, so a
 * retried or replayed send sees that it already went out.
 */
export async function claimNotification(db: DbOrTx, row: NewNotification): Promise<Notification> {
  const inserted = await db.insert(notifications).values(row).onConflictDoNothing().returning();
  if (inserted[0]) return inserted[0];
  const [existing] = await db.select().from(notifications).where(eq(notifications.dedupeKey, row.dedupeKey));
  if (!existing) throw new Error(`notification ${row.dedupeKey} vanished`);
  return existing;
}

export async function markNotificationSent(db: DbOrTx, id: number, providerMessageId: string | null): Promise<void> {
  await db
    .update(notifications)
    .set({ status: 'sent', sentAt: sql`now()`, providerMessageId, attempts: sql`${notifications.attempts} + 1` })
    .where(and(eq(notifications.id, id), sql`${notifications.status} <> 'sent'`));
}

export async function markNotificationFailed(db: DbOrTx, id: number, error: string, final: boolean): Promise<void> {
  await db
    .update(notifications)
    .set({
      status: final ? 'failed' : 'pending',
      lastError: error.slice(0, 1000),
      attempts: sql`${notifications.attempts} + 1`,
    })
    .where(and(eq(notifications.id, id), sql`${notifications.status} <> 'sent'`));
}

export async function listNotifications(db: DbOrTx, where: { pnr?: string; userId?: number }): Promise<Notification[]> {
  const conds = [];
  if (where.pnr !== undefined) conds.push(eq(notifications.pnr, where.pnr));
  if (where.userId !== undefined) conds.push(eq(notifications.userId, where.userId));
  return db
    .select()
    .from(notifications)
    .where(and(...conds))
    .orderBy(notifications.createdAt, notifications.id);
}
