-- RAC and waitlist (issue 10): each passenger's status now and at booking, as labels (CNF, RAC 3, GNWL 12).
-- Null: confirmed the ordinary way, as every booking before this migration.
ALTER TABLE "passengers" ADD COLUMN "current_status" text;--> statement-breakpoint
ALTER TABLE "passengers" ADD COLUMN "booking_status" text;