// Activities are built once per worker from injected clients; workflows only
// see their types (proxyActivities<Activities>).
import { createBookingActorActivities, type BookingActorDeps } from './bookingActors';
import { createBookingActivities, type BookingDeps } from './bookings';
import { createInventoryActivities, type InventoryDeps } from './inventory';
import { createInventoryConfirmActivities } from './inventoryConfirms';
import { createNotificationActivities, type NotificationDeps } from './notifications';
import { createPaymentActivities, type PaymentDeps } from './payments';
import { createRunActivities } from './runs';

export type ActivityDeps = NotificationDeps & InventoryDeps & BookingDeps & BookingActorDeps & PaymentDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotificationActivities(deps),
    ...createInventoryActivities(deps),
    ...createInventoryConfirmActivities(deps),
    ...createBookingActivities(deps),
    ...createBookingActorActivities(deps),
    ...createPaymentActivities(deps),
    ...createRunActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
