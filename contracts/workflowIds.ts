// Readable workflow IDs: support staff find a booking in the Temporal UI by
// typing them, and the IDs double as the deduplication key for starts.
export const userWelcomeWorkflowId = (userId: number): string => `user-welcome-${userId}`;
export const bookingWorkflowId = (pnr: string): string => `booking-${pnr}`;
export const inventoryWorkflowId = (trainNumber: string, runDate: string, classCode: string): string =>
  `inventory-${trainNumber}-${runDate}-${classCode}`;

/**
 * The booking actor's workflow type for new bookings. `bookingWorkflow` is the
 * type of actors started before it (versioned by a patch); workers run both,
 * and lists of booking actors ask for both (docs/architecture.md, "Changing a
 * workflow safely").
 */
export const BOOKING_WORKFLOW_TYPE = 'bookingV2';
export const BOOKING_WORKFLOW_TYPES = ['bookingWorkflow', 'bookingV2'] as const;
/** A visibility filter for booking actors of every type. */
export const bookingTypesFilter = `(${BOOKING_WORKFLOW_TYPES.map((t) => `WorkflowType = "${t}"`).join(' OR ')})`;
