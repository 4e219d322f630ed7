CREATE TABLE "journey_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"group_id" text NOT NULL,
	"participant_id" text NOT NULL,
	"kind" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "interactions" ADD COLUMN "source" text DEFAULT 'import' NOT NULL;--> statement-breakpoint
ALTER TABLE "interactions" ADD COLUMN "model_id" text;--> statement-breakpoint
ALTER TABLE "interactions" ADD COLUMN "shared" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "interactions" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "studies" ADD COLUMN "models" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "studies" ADD COLUMN "assignment" text DEFAULT 'fixed' NOT NULL;--> statement-breakpoint
ALTER TABLE "studies" ADD COLUMN "stages" jsonb DEFAULT '{"open":["familiarize","interact","reflect","discuss"],"minTurns":1,"maxTurns":20}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "studies" ADD COLUMN "orientation" jsonb;--> statement-breakpoint
ALTER TABLE "studies" ADD COLUMN "baseline" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "journey_events" ADD CONSTRAINT "journey_events_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_events" ADD CONSTRAINT "journey_events_participant_id_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."participants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "journey_events_participant_idx" ON "journey_events" USING btree ("participant_id","seq");--> statement-breakpoint
CREATE INDEX "interactions_participant_idx" ON "interactions" USING btree ("participant_id");