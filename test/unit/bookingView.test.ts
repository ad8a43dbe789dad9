// contracts/booking.ts withCurrentNumbers: the numbers a view shows, refreshed from the inventory.
import { heldBookingView } from '../../contracts/bookingStart';
import { isWaiting, withCurrentNumbers, type BookingInput } from '../../contracts';

const input = {
  pnr: '1234567890',
  userId: 1,
  email: 'a@example.com',
  trainNumber: '12423',
  trainName: 'Rajdhani',
  runDate: '2027-01-01',
  classCode: '2A',
  from: { code: 'A', name: 'A', seq: 0, time: '2027-01-01T16:00+05:30' },
  to: { code: 'B', name: 'B', seq: 5, time: '2027-01-02T08:00+05:30' },
  departureAt: 0,
  passengers: [
    { name: 'P1', age: 30, gender: 'F' },
    { name: 'P2', age: 31, gender: 'M' },
    { name: 'P3', age: 32, gender: 'F' },
  ],
  seats: [{ coach: 'A1', berthNo: 1, type: 'LB', passengerIndex: 0 }],
  statuses: [{ status: 'CNF' }, { status: 'RAC', number: 4 }, { status: 'WL', kind: 'GNWL', number: 9 }],
  fare: { classCode: '2A', chargeableKm: 100, perPassenger: [], total: 0 },
  holdExpiresAt: 0,
  inventoryWorkflowId: 'inventory-12423-2027-01-01-2A',
  reminderLeadMs: 0,
  paymentMaxAttempts: 1,
} as BookingInput;

describe('withCurrentNumbers', () => {
  const view = heldBookingView(input, 0);

  it('replaces waiting numbers by the inventory\'s, and the ticket status with them', () => {
    expect(isWaiting(view)).toBe(true);
    const now = withCurrentNumbers(view, [{ status: 'CNF' }, { status: 'RAC', number: 1 }, { status: 'RAC', number: 2 }]);
    expect(now.passengers.map((p) => p.currentStatus)).toEqual(['CNF', 'RAC 1', 'RAC 2']);
    expect(now.passengers.map((p) => p.bookingStatus)).toEqual(['CNF', 'RAC 4', 'GNWL 9']);
    expect(now.ticketStatus).toBe('RAC');
  });

  it('leaves a move up to a berth, a cancellation and an unknown answer to the booking\'s own notice', () => {
    const now = withCurrentNumbers(view, [{ status: 'CNF' }, { status: 'CNF' }, { status: 'CAN' }]);
    expect(now.passengers.map((p) => p.currentStatus)).toEqual(['CNF', 'RAC 4', 'GNWL 9']);
    expect(withCurrentNumbers(view, null)).toBe(view);
    expect(withCurrentNumbers(view, [{ status: 'CNF' }])).toBe(view);
  });
});
