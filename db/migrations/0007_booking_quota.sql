-- Quotas (issue 10, item 3): the quota each booking was made in; every booking before it was general (GN).
ALTER TABLE "bookings" ADD COLUMN "quota" text DEFAULT 'GN' NOT NULL;