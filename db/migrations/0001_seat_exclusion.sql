-- The last line of defence against double booking: two confirmed allocations of
-- the same berth of the same run may never cover overlapping stop ranges.
-- btree_gist lets the GiST index compare the scalar columns with "=".
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE "seat_allocations"
  ADD CONSTRAINT "seat_allocations_no_overlap"
  EXCLUDE USING gist (
    "run_id" WITH =,
    "class_code" WITH =,
    "coach" WITH =,
    "berth_no" WITH =,
    int4range("from_seq", "to_seq") WITH &&
  ) WHERE ("status" = 'confirmed');
