CREATE TABLE "board_snapshot_parts" (
	"session_id" text NOT NULL,
	"generation" integer NOT NULL,
	"part" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "board_snapshot_parts_session_id_generation_part_pk" PRIMARY KEY("session_id","generation","part")
);
--> statement-breakpoint
ALTER TABLE "board_snapshots" ALTER COLUMN "state" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "board_snapshots" ADD COLUMN "generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "board_snapshot_parts" ADD CONSTRAINT "board_snapshot_parts_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;