import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Typed keys for the attributes in ./searchAttributes (registered by temporal/).
export const SA = {
  Pnr: defineSearchAttributeKey('Pnr', SearchAttributeType.KEYWORD),
  BookingStatus: defineSearchAttributeKey('BookingStatus', SearchAttributeType.KEYWORD),
  TrainNumber: defineSearchAttributeKey('TrainNumber', SearchAttributeType.KEYWORD),
  TravelDate: defineSearchAttributeKey('TravelDate', SearchAttributeType.KEYWORD),
  UserId: defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD),
  TravelClass: defineSearchAttributeKey('TravelClass', SearchAttributeType.KEYWORD),
  TicketStatus: defineSearchAttributeKey('TicketStatus', SearchAttributeType.KEYWORD),
  NeedsAttention: defineSearchAttributeKey('NeedsAttention', SearchAttributeType.KEYWORD_LIST),
} as const;
