// The Idempotency-Key store (api/services/idempotency.ts explains the rules).
// Every expiry is compared with the database's clock, so API processes with
// skewed clocks agree on when a claim or an answer has run out.
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { idempotencyKeys, type IdempotencyRow } from '../schema';

export interface KeyRef {
  scope: string;
  key: string;
}

const inSeconds = (s: number) => sql`now() + make_interval(secs => ${s})`;
const byKey = ({ scope, key }: KeyRef) => and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key));

/**
 * Claims the key for one request: 'claimed' when the caller now holds it (a
 * new key, or one whose row has expired — a stale pending claim or an old
 * answer — taken over in the same statement), otherwise the row that holds it,
 * or null if that row vanished in between (released after a server error).
 */
export async function claimKey(
  db: DbOrTx,
  ref: KeyRef & { fingerprint: string; claim: string; pendingSeconds: number },
): Promise<'claimed' | IdempotencyRow | null> {
  const [won] = await db
    .insert(idempotencyKeys)
    .values({ scope: ref.scope, key: ref.key, fingerprint: ref.fingerprint, claim: ref.claim, state: 'pending', expiresAt: inSeconds(ref.pendingSeconds) })
    .onConflictDoUpdate({
      target: [idempotencyKeys.scope, idempotencyKeys.key],
      set: {
        fingerprint: sql`excluded.fingerprint`,
        claim: sql`excluded.claim`,
        state: 'pending',
        status: null,
        body: null,
        createdAt: sql`now()`,
        expiresAt: sql`excluded.expires_at`,
      },
      setWhere: lt(idempotencyKeys.expiresAt, sql`now()`),
    })
    .returning({ claim: idempotencyKeys.claim });
  if (won) return 'claimed';
  const [held] = await db.select().from(idempotencyKeys).where(byKey(ref));
  return held ?? null;
}

/** Stores the answer of the request holding `claim`; null if its claim was taken over meanwhile. */
export async function finishKey(
  db: DbOrTx,
  ref: KeyRef & { claim: string; status: number; body: unknown; ttlSeconds: number },
): Promise<IdempotencyRow | null> {
  const [row] = await db
    .update(idempotencyKeys)
    .set({ state: 'done', status: ref.status, body: ref.body, expiresAt: inSeconds(ref.ttlSeconds) })
    .where(and(byKey(ref), eq(idempotencyKeys.claim, ref.claim), eq(idempotencyKeys.state, 'pending')))
    .returning();
  return row ?? null;
}

/** Gives the key back (after a server error), so a retry runs again at once. */
export async function releaseKey(db: DbOrTx, ref: KeyRef & { claim: string }): Promise<void> {
  await db.delete(idempotencyKeys).where(and(byKey(ref), eq(idempotencyKeys.claim, ref.claim), eq(idempotencyKeys.state, 'pending')));
}

/** Deletes up to `limit` expired rows (oldest expiry first, by index); returns how many. */
export async function deleteExpiredKeys(db: DbOrTx, limit: number): Promise<number> {
  const expired = db
    .select({ scope: idempotencyKeys.scope, key: idempotencyKeys.key })
    .from(idempotencyKeys)
    .where(lt(idempotencyKeys.expiresAt, sql`now()`))
    .orderBy(idempotencyKeys.expiresAt)
    .limit(limit);
  const deleted = await db
    .delete(idempotencyKeys)
    .where(and(inArray(sql`(${idempotencyKeys.scope}, ${idempotencyKeys.key})`, expired), lt(idempotencyKeys.expiresAt, sql`now()`)))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}
