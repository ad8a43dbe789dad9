// Chart preparation (pure; docs/railway-rules.md, "The chart"). At chart time
// the inventory actor, in one handler:
//   1. releases waiting holds nobody paid for (booking closes at the chart),
//   2. moves the unsold berths of the Tatkal, ladies and senior quotas to the
//      general pool (domain/quotas.ts),
//   3. makes a last promotion pass and drops every passenger still waitlisted
//      (railInventory.ts chartRail),
// and from then on refuses holds. Every paid booking is then told its final
// statuses (a dropped passenger shows CAN and is refunded by its booking).
// `chartOf` is the chart staff read: who sits on which berth over which hops.
import { bookingSeats, type InventoryState } from './allocation';
import { inventoryChartReleases } from './quotas';
import {
  chartRail,
  releaseRail,
  seatsOf,
  statusesOf,
  railStatusLabel,
  type BookingStatusChange,
  type RailPassengerStatus,
  type RailState,
} from './railInventory';
import { racSeatMap, type Cancelled } from './waitlist';

export interface ChartOutcome {
  /** Waiting holds nobody had paid for, released. */
  unpaidReleased: string[];
  /** Berths of the TQ, LD and SS pools that joined the general pool. */
  releasedToGeneral: number;
  /** Passengers moved up by the chart's releases and its last promotion pass. */
  promoted: number;
  /** Passengers still waitlisted, dropped. */
  dropped: Cancelled[];
  /** Every paid booking's final statuses and berths, to be told (dropped passengers show CAN). */
  finals: BookingStatusChange[];
}

/** Prepares the chart on the inventory's state (mutates it). Call once; `chartOf` reads the result. */
export function prepareChart(inv: InventoryState, rs: RailState): ChartOutcome {
  const unpaidReleased = Object.keys(rs.waits).filter((id) => !rs.waits[id]!.sold);
  let promoted = 0;
  for (const id of unpaidReleased) promoted += releaseRail(inv, rs, id, true).changes.length;
  const releases = inventoryChartReleases(inv);
  for (const r of releases) inv.berths[r.index]!.quota = r.to;
  const charted = chartRail(inv, rs);
  promoted += charted.changes.length;
  return { unpaidReleased, releasedToGeneral: releases.length, promoted, dropped: charted.dropped, finals: finalStatuses(inv, rs) };
}

/** Every paid booking with its statuses and berths now, in booking id order. */
export function finalStatuses(inv: InventoryState, rs: RailState): BookingStatusChange[] {
  const finals: BookingStatusChange[] = [];
  for (const [bookingId, w] of Object.entries(rs.waits)) {
    if (w.sold) finals.push({ bookingId, statuses: statusesOf(inv, rs, bookingId)!, seats: seatsOf(inv, rs, bookingId), sold: true });
  }
  for (const [bookingId, record] of Object.entries(inv.bookings)) {
    // Per-passenger records (<pnr>#<i>) belong to a booking in `rs.waits`, reported above.
    if (record.status !== 'sold' || bookingId.includes('#') || Object.hasOwn(rs.waits, bookingId)) continue;
    const seats = bookingSeats(inv, bookingId)?.seats ?? [];
    finals.push({ bookingId, statuses: seats.map((): RailPassengerStatus => ({ status: 'CNF' })), seats, sold: true });
  }
  return finals.sort((a, b) => (a.bookingId < b.bookingId ? -1 : a.bookingId > b.bookingId ? 1 : 0));
}

export interface ChartOccupant {
  pnr: string;
  /** 0-based position on the PNR. */
  passengerIndex: number;
  fromSeq: number;
  toSeq: number;
}

export interface ChartView {
  stopCount: number;
  /** Confirmed berths with their occupants per segment; berths nobody sits on are listed with none (vacant). */
  berths: { coach: string; berthNo: number; type: string; quota: string; occupants: ChartOccupant[] }[];
  /** RAC berths: at most two passengers on any hop. */
  rac: { coach: string; berthNo: number; occupants: (ChartOccupant & { label: string })[] }[];
  /** Passengers the chart dropped from the waitlist (refunded less clerkage). */
  dropped: (ChartOccupant & { label: string })[];
  counts: { confirmed: number; rac: number; dropped: number; vacantBerths: number };
}

/** The chart as the state shows it now; `dropped` comes from the preparation (the state no longer holds them). */
export function chartOf(inv: InventoryState, rs: RailState, dropped: readonly Cancelled[]): ChartView {
  const berths: ChartView['berths'] = [];
  let confirmed = 0;
  let vacantBerths = 0;
  inv.berths.forEach((berth, i) => {
    if (berth.quota === 'RAC') return;
    const occupants = inv.occupancy[i]!.map(([fromSeq, toSeq, allocationId]): ChartOccupant => {
      const [pnr, own] = allocationId.split('#') as [string, string | undefined];
      const passengerIndex = own === undefined ? inv.bookings[allocationId]!.berths.indexOf(i) : Number(own);
      return { pnr, passengerIndex, fromSeq, toSeq };
    });
    confirmed += occupants.length;
    if (occupants.length === 0) vacantBerths += 1;
    berths.push({ coach: berth.coach, berthNo: berth.berthNo, type: berth.type, quota: berth.quota, occupants });
  });
  const racNumber = new Map(rs.wl.rac.map((p, i) => [`${p.bookingId}#${p.passengerIndex}`, i + 1]));
  const rac = racSeatMap(rs.wl).map((b) => ({
    coach: b.coach,
    berthNo: b.berthNo,
    occupants: b.passengers.map((p) => ({
      pnr: p.bookingId,
      passengerIndex: p.passengerIndex,
      fromSeq: p.fromSeq,
      toSeq: p.toSeq,
      label: `RAC ${racNumber.get(`${p.bookingId}#${p.passengerIndex}`) ?? '?'}`,
    })),
  }));
  return {
    stopCount: inv.stopCount,
    berths,
    rac,
    dropped: dropped.map((d) => ({ pnr: d.bookingId, passengerIndex: d.passengerIndex, fromSeq: d.fromSeq, toSeq: d.toSeq, label: railStatusLabel(d.status) })),
    counts: { confirmed, rac: rs.wl.rac.length, dropped: dropped.length, vacantBerths },
  };
}
