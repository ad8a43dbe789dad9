import { randomInt } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { PNR_HIGH, PNR_LOW, pnrFromDraw } from '../../domain/pnr';
import type { DbOrTx } from '../client';
import { pnrs, type PnrRow } from '../schema';

/**
 * Draws per allocation before giving up. With N PNRs issued out of 9·10⁹ a
 * draw collides with probability N / 9·10⁹, so even after a billion bookings
 * eight draws all colliding is a 1-in-4·10⁷ event.
 */
export const PNR_DRAWS = 8;

/** A uniformly random candidate, from the CSPRNG so PNRs cannot be guessed from one another. */
export const randomPnr = (): string => pnrFromDraw(randomInt(PNR_LOW, PNR_HIGH));

/**
 * Issues a PNR that was never issued before, recording which inventory holds
 * its berths. The primary key decides: a draw that is already taken inserts
 * nothing and the next draw is tried. Null when every draw was taken.
 */
export async function allocatePnr(
  db: DbOrTx,
  owner: { inventoryWorkflowId: string; userId: number; requestKey?: string },
  draw: () => string = randomPnr,
): Promise<string | null> {
  if (owner.requestKey) {
    // A retry of a request that got no answer (a 503 at its deadline, a lost connection) gets the PNR the
    // first attempt took, so a hold the first attempt placed is found again rather than held twice.
    const [kept] = await db
      .select({ pnr: pnrs.pnr })
      .from(pnrs)
      .where(and(eq(pnrs.requestKey, owner.requestKey), eq(pnrs.inventoryWorkflowId, owner.inventoryWorkflowId), eq(pnrs.userId, owner.userId)));
    if (kept) return kept.pnr;
  }
  for (let i = 0; i < PNR_DRAWS; i++) {
    const [row] = await db
      .insert(pnrs)
      .values({ pnr: draw(), inventoryWorkflowId: owner.inventoryWorkflowId, userId: owner.userId, requestKey: owner.requestKey ?? null })
      .onConflictDoNothing({ target: pnrs.pnr })
      .returning({ pnr: pnrs.pnr });
    if (row) return row.pnr;
  }
  return null;
}

export async function findPnr(db: DbOrTx, pnr: string): Promise<PnrRow | null> {
  const [row] = await db.select().from(pnrs).where(eq(pnrs.pnr, pnr));
  return row ?? null;
}
