CREATE TABLE "affinity_maps" (
	"session_id" text PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"dims" integer NOT NULL,
	"seed" bigint NOT NULL,
	"include" jsonb NOT NULL,
	"points" jsonb NOT NULL,
	"clusters" jsonb NOT NULL,
	"ms" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "embeddings" (
	"model" text NOT NULL,
	"text_hash" text NOT NULL,
	"dims" integer NOT NULL,
	"vector" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "embeddings_model_text_hash_pk" PRIMARY KEY("model","text_hash")
);
--> statement-breakpoint
ALTER TABLE "affinity_maps" ADD CONSTRAINT "affinity_maps_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;