CREATE TABLE "attribute_versions" (
	"attribute_id" text NOT NULL,
	"group_id" text NOT NULL,
	"version" integer NOT NULL,
	"changed_by" text NOT NULL,
	"snapshot" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attribute_versions_attribute_id_version_pk" PRIMARY KEY("attribute_id","version")
);
--> statement-breakpoint
CREATE TABLE "attributes" (
	"id" text PRIMARY KEY NOT NULL,
	"group_id" text NOT NULL,
	"participant_id" text,
	"name" text NOT NULL,
	"definition" text NOT NULL,
	"codes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"examples" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"shared" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "labels" ADD COLUMN "span_start" integer;--> statement-breakpoint
ALTER TABLE "labels" ADD COLUMN "span_end" integer;--> statement-breakpoint
ALTER TABLE "attribute_versions" ADD CONSTRAINT "attribute_versions_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attributes" ADD CONSTRAINT "attributes_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attributes" ADD CONSTRAINT "attributes_participant_id_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."participants"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attributes_group_idx" ON "attributes" USING btree ("group_id");