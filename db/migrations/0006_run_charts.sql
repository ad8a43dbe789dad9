-- Charts (issue 10, item 7): one row per run and class, written by the inventory actor when it prepares the chart.
CREATE TABLE "run_charts" (
	"train_number" text NOT NULL,
	"run_date" date NOT NULL,
	"class_code" text NOT NULL,
	"prepared_at" timestamp with time zone NOT NULL,
	"prepared_by" text NOT NULL,
	"workflow_id" text NOT NULL,
	"summary" jsonb NOT NULL,
	"chart" jsonb NOT NULL,
	CONSTRAINT "run_charts_train_number_run_date_class_code_pk" PRIMARY KEY("train_number","run_date","class_code")
);
