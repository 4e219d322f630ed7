CREATE TABLE "ab_items" (
	"id" text PRIMARY KEY NOT NULL,
	"round_id" text NOT NULL,
	"participant_id" text,
	"prompt" text NOT NULL,
	"baseline_id" text,
	"first_model" text NOT NULL,
	"answers" jsonb NOT NULL,
	"votes" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"voted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "ab_rounds" (
	"id" text PRIMARY KEY NOT NULL,
	"group_id" text NOT NULL,
	"session_id" text,
	"model_a" text NOT NULL,
	"model_b" text NOT NULL,
	"axes" jsonb NOT NULL,
	"prompts" text DEFAULT 'both' NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "board_moments" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"reason" text NOT NULL,
	"state" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "comparison_decisions" (
	"study_id" text NOT NULL,
	"a_attribute_id" text NOT NULL,
	"b_attribute_id" text NOT NULL,
	"status" text NOT NULL,
	"kind" text NOT NULL,
	"decided_by" text NOT NULL,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "comparison_decisions_study_id_a_attribute_id_b_attribute_id_pk" PRIMARY KEY("study_id","a_attribute_id","b_attribute_id")
);
--> statement-breakpoint
CREATE TABLE "judge_rubrics" (
	"final_attribute_id" text NOT NULL,
	"version" integer NOT NULL,
	"session_id" text NOT NULL,
	"rubric" jsonb NOT NULL,
	"edited_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "judge_rubrics_final_attribute_id_version_pk" PRIMARY KEY("final_attribute_id","version")
);
--> statement-breakpoint
CREATE TABLE "judge_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"kind" text NOT NULL,
	"model_id" text,
	"interaction_ids" jsonb,
	"rubric_versions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"progress" jsonb DEFAULT '{"done":0,"total":0}'::jsonb NOT NULL,
	"agreement" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" jsonb,
	"tokens" integer DEFAULT 0 NOT NULL,
	"ms" integer DEFAULT 0 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "judge_scores" (
	"run_id" text NOT NULL,
	"interaction_id" text NOT NULL,
	"message_index" integer NOT NULL,
	"axis_id" text NOT NULL,
	"score" integer NOT NULL,
	"rationale" text,
	"tokens" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "judge_scores_run_id_interaction_id_message_index_axis_id_pk" PRIMARY KEY("run_id","interaction_id","message_index","axis_id")
);
--> statement-breakpoint
CREATE TABLE "session_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ab_items" ADD CONSTRAINT "ab_items_round_id_ab_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."ab_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ab_items" ADD CONSTRAINT "ab_items_participant_id_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."participants"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ab_rounds" ADD CONSTRAINT "ab_rounds_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ab_rounds" ADD CONSTRAINT "ab_rounds_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_moments" ADD CONSTRAINT "board_moments_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comparison_decisions" ADD CONSTRAINT "comparison_decisions_study_id_studies_id_fk" FOREIGN KEY ("study_id") REFERENCES "public"."studies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "judge_rubrics" ADD CONSTRAINT "judge_rubrics_final_attribute_id_final_attributes_id_fk" FOREIGN KEY ("final_attribute_id") REFERENCES "public"."final_attributes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "judge_rubrics" ADD CONSTRAINT "judge_rubrics_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "judge_runs" ADD CONSTRAINT "judge_runs_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "judge_scores" ADD CONSTRAINT "judge_scores_run_id_judge_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."judge_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_events" ADD CONSTRAINT "session_events_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ab_items_round_idx" ON "ab_items" USING btree ("round_id");--> statement-breakpoint
CREATE INDEX "ab_rounds_group_idx" ON "ab_rounds" USING btree ("group_id");--> statement-breakpoint
CREATE INDEX "board_moments_session_idx" ON "board_moments" USING btree ("session_id","at");--> statement-breakpoint
CREATE INDEX "judge_rubrics_session_idx" ON "judge_rubrics" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "judge_runs_session_idx" ON "judge_runs" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "session_events_session_idx" ON "session_events" USING btree ("session_id","at");