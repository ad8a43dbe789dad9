import fp from 'fastify-plugin';
import { inventoryTaskQueue } from '../../contracts/taskQueues';
import { createPaymentGateway, type PaymentGateway } from '../../payments';
import { AvailabilityService } from '../services/availability';
import { BookingActors } from '../services/bookingActors';
import { InventoryGateway } from '../services/inventoryGateway';
import { JourneyPlanner } from '../services/journeys';

declare module 'fastify' {
  interface FastifyInstance {
    inventory: InventoryGateway;
    availability: AvailabilityService;
    journeys: JourneyPlanner;
    bookingActors: BookingActors;
    payments: PaymentGateway;
  }
}

// The services the booking routes use, built once on the infrastructure plugins.
export default fp(
  async (app) => {
    const { booking, temporal, deadlines } = app.config;
    app.decorate(
      'inventory',
      new InventoryGateway(app.temporal, {
        taskQueue: inventoryTaskQueue(temporal.taskQueue),
        callTimeoutMs: deadlines.temporalCallMs,
        requestTimeoutMs: deadlines.holdMs,
        retryAfterSeconds: deadlines.retryAfterSeconds,
      }),
    );
    app.decorate(
      'availability',
      new AvailabilityService({
        client: app.temporal,
        redis: app.redis,
        db: app.db,
        ttlSeconds: booking.availabilityCacheSeconds,
        lastKnownSeconds: booking.availabilityLastKnownSeconds,
        pools: { on: app.config.railway.quotaPools, racBerthsPerCoach: app.config.railway.racBerthsPerCoach },
        withTemporal: (fn) => app.withTemporal(deadlines.temporalCallMs, fn),
        log: app.log,
      }),
    );
    app.decorate('journeys', new JourneyPlanner(app.db, booking.advanceDays));
    app.decorate('bookingActors', new BookingActors(app.temporal, app.db, temporal.taskQueue));
    app.decorate('payments', createPaymentGateway('sandbox', app.db));
  },
  { name: 'booking-services', dependencies: ['db', 'redis', 'temporal'] },
);
