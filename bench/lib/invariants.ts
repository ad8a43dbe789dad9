// The product invariants, read from Postgres after a level has drained, for one run:
//   - no berth segment sold twice (two live seat allocations of one berth whose segments overlap);
//   - every successful charge ends in a confirmed booking or a recorded refund;
//   - every confirmed booking has its ticket queued (a `ticket` notification row).
import type { Pool } from 'pg';
import type { Target } from './load';

export interface Invariants {
  /** Pairs of live allocations of the same berth with overlapping segments: must be 0. */
  doubleSold: number;
  /** Succeeded charges whose booking is neither confirmed nor refunded: must be 0 once drained. */
  chargesWithoutTicketOrRefund: number;
  /** Confirmed bookings with no ticket notification queued or sent. */
  confirmedWithoutTicket: number;
  ok: boolean;
}

export async function checkInvariants(pool: Pool, target: Target, runDate: string): Promise<Invariants> {
  const r = await pool.query<{ double_sold: number; orphan_charges: number; no_ticket: number }>(
    `with run as (select id from train_runs where train_number = $1 and run_date = $2)
     select
       (select count(*)::int from seat_allocations a join seat_allocations b
          on b.run_id = a.run_id and b.class_code = a.class_code and b.coach = a.coach and b.berth_no = a.berth_no
         and a.id < b.id and a.from_seq < b.to_seq and b.from_seq < a.to_seq
        where a.run_id in (select id from run) and a.class_code = $3 and a.status = 'confirmed' and b.status = 'confirmed') as double_sold,
       (select count(*)::int from payments p join bookings k on k.pnr = p.pnr
        where k.run_id in (select id from run) and k.class_code = $3 and p.status = 'succeeded' and k.status <> 'confirmed'
          and not exists (select 1 from refunds f where f.pnr = p.pnr and f.status = 'succeeded')) as orphan_charges,
       (select count(*)::int from bookings k
        where k.run_id in (select id from run) and k.class_code = $3 and k.status = 'confirmed'
          and not exists (select 1 from notifications n where n.pnr = k.pnr and n.kind = 'ticket')) as no_ticket`,
    [target.trainNumber, runDate, target.classCode],
  );
  const x = r.rows[0] ?? { double_sold: -1, orphan_charges: -1, no_ticket: -1 };
  return {
    doubleSold: x.double_sold,
    chargesWithoutTicketOrRefund: x.orphan_charges,
    confirmedWithoutTicket: x.no_ticket,
    ok: x.double_sold === 0 && x.orphan_charges === 0 && x.no_ticket === 0,
  };
}
