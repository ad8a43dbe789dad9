import { desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { auditLog, type AuditEntry } from '../schema';

export async function audit(
  db: DbOrTx,
  entry: { actor: string; action: string; entity: string; details?: Record<string, unknown> },
): Promise<void> {
  await db.insert(auditLog).values(entry);
}

export async function auditTrail(db: DbOrTx, entity: string, limit = 100): Promise<AuditEntry[]> {
  return db.select().from(auditLog).where(eq(auditLog.entity, entity)).orderBy(desc(auditLog.id)).limit(limit);
}
