// Readable workflow IDs: support staff find a booking in the Temporal UI by
// typing them, and the IDs double as the deduplication key for starts.
export const userWelcomeWorkflowId = (userId: number): string => `user-welcome-${userId}`;
export const bookingWorkflowId = (pnr: string): string => `booking-${pnr}`;
export const inventoryWorkflowId = (trainNumber: string, runDate: string, classCode: string): string =>
  `inventory-${trainNumber}-${runDate}-${classCode}`;
