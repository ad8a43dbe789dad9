import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import {
  extendHoldUpdate,
  FailureType,
  HOLD_GRACE_MS,
  type ChartRecord,
  type InventoryClosedRecord,
  type InventoryRebuild,
  type InventoryTimetable,
} from '../contracts';
import { createInventory, type BerthInput } from '../domain/allocation';
import { localDateTime } from '../domain/calendar';
import { CHART_HOURS_BEFORE_DEPARTURE } from '../domain/railwayRules';
import { encodeInventory } from '../domain/inventoryCarry';
import { restoreBookings, type PersistedBooking } from '../domain/inventoryRebuild';
import { assignQuotaPools } from '../domain/quotas';
import { BERTH_TYPES, isClassCode, type BerthType, type PassengerInput } from '../domain/types';
import type { Db } from '../db/client';
import { audit } from '../db/repositories/audit';
import { saveChart } from '../db/repositories/charts';
import {
  hasAuditEntry,
  lastBoardingDeparture,
  originDeparture,
  persistedSeats,
  persistedWaiting,
  type PersistedSeatRow,
  type PersistedWaitingRow,
} from '../db/repositories/inventory';
import { passengerAllocationId, type PersistedWaitBooking } from '../domain/railInventory';
import { isRailQuota } from '../domain/railwayRules';
import { inventoryLayout } from '../db/repositories/trains';

export interface InventoryDeps {
  db: Db;
  temporal: Client;
  /** The chart is prepared this long before the origin departure (CHART_MINUTES_BEFORE_DEPARTURE; default 4 h). */
  chartLeadMs?: number;
  /** Split new inventories' berths into quota pools (QUOTA_POOLS; default on). */
  quotaPools?: boolean;
  /** RAC side-lowers per coach by class, where the operator overrides the table (RAC_BERTHS_PER_COACH). */
  racBerthsPerCoach?: Partial<Record<string, number>>;
}

export const DEFAULT_CHART_LEAD_MS = CHART_HOURS_BEFORE_DEPARTURE * 3600_000;

/** A recorded hold's deadline as the inventory keeps it: the booking's plus the grace, as for a hold it places itself. */
function inventoryDeadline(status: 'sold' | 'held', holdExpiresAt: number | null): { holdExpiresAt?: number } {
  return status === 'held' && holdExpiresAt !== null ? { holdExpiresAt: holdExpiresAt + HOLD_GRACE_MS } : {};
}

/**
 * Groups the per-passenger rows into bookings; a hold with a passenger whose berth was never recorded is left out.
 * A booking with RAC or waitlisted passengers (`waiting`) is placed back one confirmed passenger at a time, under
 * the per-passenger ids the waitlist uses (domain/railInventory.ts passengerAllocationId); its others have no berth.
 */
function toBookings(rows: PersistedSeatRow[], waiting: ReadonlySet<string>): { bookings: PersistedBooking[]; unplaced: string[] } {
  const byPnr = new Map<string, PersistedSeatRow[]>();
  for (const r of rows) byPnr.set(r.pnr, [...(byPnr.get(r.pnr) ?? []), r]);
  const bookings: PersistedBooking[] = [];
  const unplaced: string[] = [];
  const deadline = (r: PersistedSeatRow) => inventoryDeadline(r.status, r.holdExpiresAt);
  for (const [pnr, seats] of byPnr) {
    if (waiting.has(pnr)) {
      for (const s of seats) {
        if (s.coach === null || s.berthNo === null) continue;
        bookings.push({
          bookingId: passengerAllocationId(pnr, s.passengerIdx),
          status: s.status,
          fromSeq: s.fromSeq,
          toSeq: s.toSeq,
          ...deadline(s),
          seats: [{ passengerIndex: 0, coach: s.coach, berthNo: s.berthNo }],
        });
      }
      continue;
    }
    const first = seats[0]!;
    if (seats.some((s) => s.coach === null || s.berthNo === null)) {
      unplaced.push(pnr);
      continue;
    }
    bookings.push({
      bookingId: pnr,
      status: first.status,
      fromSeq: first.fromSeq,
      toSeq: first.toSeq,
      ...deadline(first),
      seats: seats.map((s) => ({ passengerIndex: s.passengerIdx, coach: s.coach!, berthNo: s.berthNo! })),
    });
  }
  return { bookings, unplaced };
}

/** A waiting booking's records as the inventory restores them (its deadline, as for a hold, plus the grace). */
function toWaitBooking(w: PersistedWaitingRow): PersistedWaitBooking {
  return {
    bookingId: w.pnr,
    sold: w.status === 'sold',
    ...inventoryDeadline(w.status, w.holdExpiresAt),
    fromSeq: w.fromSeq,
    toSeq: w.toSeq,
    quota: isRailQuota(w.quota) ? w.quota : 'GN',
    passengers: w.passengers.map((p) => ({
      name: p.name,
      age: p.age,
      gender: p.gender as PassengerInput['gender'],
      ...(p.preference ? { preference: p.preference as BerthType } : {}),
    })),
    statuses: w.passengers.map((p) => p.current ?? 'CNF'),
    booked: w.passengers.map((p) => p.booked ?? p.current ?? 'CNF'),
  };
}

export function createInventoryActivities({ db, temporal, chartLeadMs = DEFAULT_CHART_LEAD_MS, quotaPools = true, racBerthsPerCoach = {} }: InventoryDeps) {
  const racOf = (classCode: string): number | undefined => (Object.hasOwn(racBerthsPerCoach, classCode) ? racBerthsPerCoach[classCode] : undefined);
  const layoutOf = async (input: { trainNumber: string; classCode: string }): Promise<{ stopCount: number; berths: BerthInput[] }> => {
    const layout = await inventoryLayout(db, input.trainNumber, input.classCode);
    if (layout.berths.length === 0 || layout.stopCount < 2) {
      throw ApplicationFailure.nonRetryable(`train ${input.trainNumber} has no ${input.classCode} coaches or no route`, FailureType.NotFound);
    }
    const berths = layout.berths.map((b) => {
      if (!(BERTH_TYPES as readonly string[]).includes(b.type)) throw new Error(`unknown berth type ${b.type}`);
      return { coach: b.coach, berthNo: b.berthNo, type: b.type as BerthType };
    });
    // The pools follow from the layout alone, so an actor rebuilt after a terminated one gets the same.
    const rac = racOf(input.classCode);
    const pooled = quotaPools && isClassCode(input.classCode) ? assignQuotaPools(input.classCode, berths, rac === undefined ? {} : { racPerCoach: rac }) : berths;
    return { stopCount: layout.stopCount, berths: pooled };
  };
  const timetableOf = async (input: { trainNumber: string; runDate: string }): Promise<InventoryTimetable> => {
    const [last, origin] = await Promise.all([lastBoardingDeparture(db, input.trainNumber, input.runDate), originDeparture(db, input.trainNumber)]);
    if (!last || !origin) throw ApplicationFailure.nonRetryable(`train ${input.trainNumber} has no route`, FailureType.NotFound);
    const at = Date.parse(localDateTime(input.runDate, last.departureDay, last.departureMin));
    // The chart follows the timetable, not a reported delay (the railway charts by schedule).
    const departs = Date.parse(localDateTime(input.runDate, origin.departureDay, origin.departureMin));
    return { lastBoardingAt: at + last.delayMin * 60_000, chartAt: departs - chartLeadMs };
  };

  return {
    /** The berths of a train's class and its stop count (inventories started before the rebuild from Postgres). */
    loadInventoryLayout: layoutOf,

    /** When the inventory's train leaves its last boarding stop, with the run's reported delay. */
    loadInventoryTimetable: timetableOf,

    /**
     * A new inventory's first state: the layout with every sale and recorded
     * hold of its run and class placed back, so an actor started after a
     * terminated or failed one never sells a berth twice. Compactly encoded
     * (the result is in the actor's history).
     */
    async rebuildInventory(input: { trainNumber: string; runDate: string; classCode: string }): Promise<InventoryRebuild> {
      const [layout, timetable, rows, waitingRows] = await Promise.all([
        layoutOf(input),
        timetableOf(input),
        persistedSeats(db, input.trainNumber, input.runDate, input.classCode),
        persistedWaiting(db, input.trainNumber, input.runDate, input.classCode),
      ]);
      const state = createInventory(layout);
      const { bookings, unplaced } = toBookings(rows, new Set(waitingRows.map((w) => w.pnr)));
      const r = restoreBookings(state, bookings);
      const conflicts = [...r.conflicts, ...unplaced.map((bookingId) => ({ bookingId, status: 'held' as const, reason: 'NO_SEATS' }))];
      const rac = racOf(input.classCode);
      return {
        ...timetable,
        compact: encodeInventory(state),
        restored: { sold: r.sold, held: r.held },
        conflicts,
        ...(rac === undefined ? {} : { racPerCoach: rac }),
        ...(waitingRows.length > 0 ? { waiting: waitingRows.map(toWaitBooking) } : {}),
      };
    },

    /** The inventory's final state, once its train has left (audit_log, action inventory.closed). Idempotent. */
    async recordInventoryClosed(record: InventoryClosedRecord): Promise<void> {
      const entity = `inventory:${record.workflowId}`;
      await db.transaction(async (tx) => {
        if (await hasAuditEntry(tx, entity, 'inventory.closed')) return;
        await audit(tx, {
          actor: `workflow:${record.workflowId}`,
          action: 'inventory.closed',
          entity,
          details: record as unknown as Record<string, unknown>,
        });
      });
    },

    /** The prepared chart, in Postgres (run_charts) for good. Idempotent: a repeat keeps the first. */
    async recordChart(record: ChartRecord): Promise<void> {
      await saveChart(db, record);
    },

    /** Moves the inventory's own deadline for a hold (support extended it on the booking). */
    async extendInventoryHold(input: { inventoryWorkflowId: string; bookingId: string; holdExpiresAt: number }): Promise<boolean> {
      const r = await temporal.workflow.getHandle(input.inventoryWorkflowId).executeUpdate(extendHoldUpdate, {
        args: [{ bookingId: input.bookingId, holdExpiresAt: input.holdExpiresAt }],
      });
      return r.ok;
    },
  };
}
