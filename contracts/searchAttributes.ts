// Custom search attributes that support staff filter on in the Temporal UI.
// The dev server registers them at start (temporal/), workflows upsert them.
// Kept free of SDK imports so scripts can read it without loading Temporal.
export const SEARCH_ATTRIBUTES = {
  Pnr: 'Keyword',
  BookingStatus: 'Keyword',
  TrainNumber: 'Keyword',
  TravelDate: 'Keyword',
  UserId: 'Keyword',
  TravelClass: 'Keyword',
  /** CNF, RAC or WL: set on bookings that had a passenger without a confirmed berth (absent: confirmed the ordinary way). */
  TicketStatus: 'Keyword',
  /** What support must act on, e.g. `ticket_delivery_failed`, `refund_rejected` (empty when nothing). */
  NeedsAttention: 'KeywordList',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;
export type SearchAttributeKind = (typeof SEARCH_ATTRIBUTES)[SearchAttributeName];
