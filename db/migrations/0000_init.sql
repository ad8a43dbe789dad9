CREATE TYPE "public"."allocation_status" AS ENUM('confirmed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."berth_type" AS ENUM('LB', 'MB', 'UB', 'SL', 'SU', 'WS', 'MS', 'AS');--> statement-breakpoint
CREATE TYPE "public"."booking_status" AS ENUM('held', 'payment_pending', 'confirmed', 'expired', 'payment_failed', 'cancelled', 'failed');--> statement-breakpoint
CREATE TYPE "public"."notification_status" AS ENUM('pending', 'sent', 'failed');--> statement-breakpoint
CREATE TYPE "public"."payment_status" AS ENUM('pending', 'succeeded', 'declined', 'failed');--> statement-breakpoint
CREATE TYPE "public"."refund_status" AS ENUM('pending', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "public"."run_status" AS ENUM('open', 'closed', 'cancelled', 'departed');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('traveller', 'support', 'admin');--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"pnr" text PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"run_id" integer NOT NULL,
	"class_code" text NOT NULL,
	"from_seq" smallint NOT NULL,
	"to_seq" smallint NOT NULL,
	"from_station" text NOT NULL,
	"to_station" text NOT NULL,
	"status" "booking_status" NOT NULL,
	"fare_total" integer NOT NULL,
	"amount_paid" integer DEFAULT 0 NOT NULL,
	"amount_refunded" integer DEFAULT 0 NOT NULL,
	"hold_expires_at" timestamp with time zone,
	"workflow_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bookings_pnr_format" CHECK ("bookings"."pnr" ~ '^[0-9]{10}$'),
	CONSTRAINT "bookings_segment" CHECK ("bookings"."from_seq" < "bookings"."to_seq")
);
--> statement-breakpoint
CREATE TABLE "coach_layout_berths" (
	"class_code" text NOT NULL,
	"berth_no" smallint NOT NULL,
	"berth_type" "berth_type" NOT NULL,
	CONSTRAINT "coach_layout_berths_class_code_berth_no_pk" PRIMARY KEY("class_code","berth_no")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" serial PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"kind" text NOT NULL,
	"pnr" text,
	"user_id" integer,
	"recipient" text NOT NULL,
	"subject" text NOT NULL,
	"status" "notification_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"provider_message_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "passengers" (
	"pnr" text NOT NULL,
	"idx" smallint NOT NULL,
	"name" text NOT NULL,
	"age" smallint NOT NULL,
	"gender" text NOT NULL,
	"berth_preference" "berth_type",
	"coach" text,
	"berth_no" smallint,
	"berth_type" "berth_type",
	"fare" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "passengers_pnr_idx_pk" PRIMARY KEY("pnr","idx"),
	CONSTRAINT "passengers_age" CHECK ("passengers"."age" between 0 and 125)
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" serial PRIMARY KEY NOT NULL,
	"pnr" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"provider" text NOT NULL,
	"provider_ref" text,
	"amount" integer NOT NULL,
	"status" "payment_status" NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"failure_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" serial PRIMARY KEY NOT NULL,
	"pnr" text NOT NULL,
	"payment_id" integer,
	"idempotency_key" text NOT NULL,
	"provider_ref" text,
	"amount" integer NOT NULL,
	"reason" text NOT NULL,
	"status" "refund_status" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seat_allocations" (
	"id" serial PRIMARY KEY NOT NULL,
	"pnr" text NOT NULL,
	"passenger_idx" smallint NOT NULL,
	"run_id" integer NOT NULL,
	"class_code" text NOT NULL,
	"coach" text NOT NULL,
	"berth_no" smallint NOT NULL,
	"from_seq" smallint NOT NULL,
	"to_seq" smallint NOT NULL,
	"status" "allocation_status" DEFAULT 'confirmed' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "seat_allocations_segment" CHECK ("seat_allocations"."from_seq" < "seat_allocations"."to_seq")
);
--> statement-breakpoint
CREATE TABLE "stations" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"state" text,
	"zone" text,
	"lat" double precision,
	"lon" double precision
);
--> statement-breakpoint
CREATE TABLE "train_coaches" (
	"train_number" text NOT NULL,
	"coach" text NOT NULL,
	"class_code" text NOT NULL,
	"position" smallint NOT NULL,
	CONSTRAINT "train_coaches_train_number_coach_pk" PRIMARY KEY("train_number","coach")
);
--> statement-breakpoint
CREATE TABLE "train_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"train_number" text NOT NULL,
	"run_date" date NOT NULL,
	"status" "run_status" DEFAULT 'open' NOT NULL,
	"delay_min" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "train_stops" (
	"train_number" text NOT NULL,
	"seq" smallint NOT NULL,
	"station_code" text NOT NULL,
	"km_from_origin" integer NOT NULL,
	"arrival_day" smallint,
	"arrival_min" smallint,
	"departure_day" smallint,
	"departure_min" smallint,
	CONSTRAINT "train_stops_train_number_seq_pk" PRIMARY KEY("train_number","seq")
);
--> statement-breakpoint
CREATE TABLE "trains" (
	"number" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"superfast" boolean DEFAULT false NOT NULL,
	"from_station" text NOT NULL,
	"to_station" text NOT NULL,
	"distance_km" integer NOT NULL,
	"duration_min" integer NOT NULL,
	"departure_min" integer NOT NULL,
	"runs_on" smallint NOT NULL,
	"pair_number" text,
	"derived" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "travel_classes" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"sleeper" boolean NOT NULL,
	"ac" boolean NOT NULL,
	"coach_prefix" text NOT NULL,
	"berths_per_coach" smallint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "user_role" DEFAULT 'traveller' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_run_id_train_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."train_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_class_code_travel_classes_code_fk" FOREIGN KEY ("class_code") REFERENCES "public"."travel_classes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coach_layout_berths" ADD CONSTRAINT "coach_layout_berths_class_code_travel_classes_code_fk" FOREIGN KEY ("class_code") REFERENCES "public"."travel_classes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "passengers" ADD CONSTRAINT "passengers_pnr_bookings_pnr_fk" FOREIGN KEY ("pnr") REFERENCES "public"."bookings"("pnr") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_pnr_bookings_pnr_fk" FOREIGN KEY ("pnr") REFERENCES "public"."bookings"("pnr") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_pnr_bookings_pnr_fk" FOREIGN KEY ("pnr") REFERENCES "public"."bookings"("pnr") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seat_allocations" ADD CONSTRAINT "seat_allocations_pnr_bookings_pnr_fk" FOREIGN KEY ("pnr") REFERENCES "public"."bookings"("pnr") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seat_allocations" ADD CONSTRAINT "seat_allocations_run_id_train_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."train_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "train_coaches" ADD CONSTRAINT "train_coaches_train_number_trains_number_fk" FOREIGN KEY ("train_number") REFERENCES "public"."trains"("number") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "train_coaches" ADD CONSTRAINT "train_coaches_class_code_travel_classes_code_fk" FOREIGN KEY ("class_code") REFERENCES "public"."travel_classes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "train_runs" ADD CONSTRAINT "train_runs_train_number_trains_number_fk" FOREIGN KEY ("train_number") REFERENCES "public"."trains"("number") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "train_stops" ADD CONSTRAINT "train_stops_train_number_trains_number_fk" FOREIGN KEY ("train_number") REFERENCES "public"."trains"("number") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "train_stops" ADD CONSTRAINT "train_stops_station_code_stations_code_fk" FOREIGN KEY ("station_code") REFERENCES "public"."stations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trains" ADD CONSTRAINT "trains_from_station_stations_code_fk" FOREIGN KEY ("from_station") REFERENCES "public"."stations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trains" ADD CONSTRAINT "trains_to_station_stations_code_fk" FOREIGN KEY ("to_station") REFERENCES "public"."stations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity","at");--> statement-breakpoint
CREATE INDEX "bookings_user_idx" ON "bookings" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "bookings_run_idx" ON "bookings" USING btree ("run_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_dedupe_uq" ON "notifications" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "notifications_pnr_idx" ON "notifications" USING btree ("pnr");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_idempotency_uq" ON "payments" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_idempotency_uq" ON "refunds" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "seat_allocations_pnr_passenger_uq" ON "seat_allocations" USING btree ("pnr","passenger_idx","coach","berth_no","from_seq");--> statement-breakpoint
CREATE INDEX "stations_name_prefix_idx" ON "stations" USING btree (lower("name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "train_coaches_class_idx" ON "train_coaches" USING btree ("train_number","class_code");--> statement-breakpoint
CREATE UNIQUE INDEX "train_runs_train_date_uq" ON "train_runs" USING btree ("train_number","run_date");--> statement-breakpoint
CREATE UNIQUE INDEX "train_stops_train_station_uq" ON "train_stops" USING btree ("train_number","station_code");--> statement-breakpoint
CREATE INDEX "train_stops_station_idx" ON "train_stops" USING btree ("station_code");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_uq" ON "users" USING btree (lower("email"));