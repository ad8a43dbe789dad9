CREATE TYPE "public"."idempotency_state" AS ENUM('pending', 'done');--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"state" "idempotency_state" DEFAULT 'pending' NOT NULL,
	"claim" text NOT NULL,
	"status" smallint,
	"body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "pnrs" (
	"pnr" text PRIMARY KEY NOT NULL,
	"inventory_workflow_id" text NOT NULL,
	"user_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pnrs_format" CHECK ("pnrs"."pnr" ~ '^[1-9][0-9]{9}$')
);
--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_idx" ON "idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
-- PNRs issued before this table existed were reserved in Redis only: record
-- every one that reached Postgres so none of them is ever issued again.
INSERT INTO "pnrs" ("pnr", "inventory_workflow_id", "user_id", "created_at")
SELECT b."pnr", 'inventory-' || r."train_number" || '-' || to_char(r."run_date", 'YYYY-MM-DD') || '-' || b."class_code", b."user_id", b."created_at"
FROM "bookings" b JOIN "train_runs" r ON r."id" = b."run_id"
WHERE b."pnr" ~ '^[1-9][0-9]{9}$'
ON CONFLICT DO NOTHING;
