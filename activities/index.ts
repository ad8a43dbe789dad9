// Activities are built once per worker from injected clients; workflows only
// see their types (proxyActivities<Activities>).
import { createBookingActivities, type BookingDeps } from './bookings';
import { createInventoryActivities, type InventoryDeps } from './inventory';
import { createNotificationActivities, type NotificationDeps } from './notifications';
import { createPaymentActivities, type PaymentDeps } from './payments';
import { createRunActivities } from './runs';

export type ActivityDeps = NotificationDeps & InventoryDeps & BookingDeps & PaymentDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotificationActivities(deps),
    ...createInventoryActivities(deps),
    ...createBookingActivities(deps),
    ...createPaymentActivities(deps),
    ...createRunActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
