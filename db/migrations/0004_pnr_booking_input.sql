ALTER TABLE "pnrs" ADD COLUMN "booking" jsonb;--> statement-breakpoint
ALTER TABLE "pnrs" ADD COLUMN "request_key" text;--> statement-breakpoint
CREATE INDEX "pnrs_request_key" ON "pnrs" USING btree ("request_key");