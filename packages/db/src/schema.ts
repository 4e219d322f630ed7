import type { SessionState } from '@calma/core';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The drizzle schema: the one source of truth for the database. Migrations in `drizzle/` are
 * generated from it with `pnpm db:generate` and applied at start-up on PGlite and PostgreSQL alike.
 */

/** The owning session; rows go with it. (Lazy reference: `sessions` is declared below.) */
const sessionRef = () =>
  text('session_id')
    .notNull()
    .references(() => sessions.id, { onDelete: 'cascade' });

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/** Server-wide settings: the admin token hash, whether the demo was seeded. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** A model of a study, as `PUT /api/studies/:id/models` sets it. */
export interface StudyModel {
  id: string;
  label: string;
  provider: 'openai' | 'local' | 'replay';
  baseUrl?: string;
  model: string;
  params?: { temperature?: number; maxTokens?: number; topP?: number };
  apiKeyEnv?: string;
}

/** The stages of the CALMA process, in order. */
export type Stage = 'familiarize' | 'interact' | 'reflect' | 'discuss';

/** Stage settings of a study. */
export interface StudyStages {
  open: Stage[];
  minTurns: number;
  maxTurns: number;
}

/** Every stage open; at least one turn, at most 20 per conversation. */
export const defaultStudyStages: StudyStages = {
  open: ['familiarize', 'interact', 'reflect', 'discuss'],
  minTurns: 1,
  maxTurns: 20,
};

/** A study's orientation (the shape `PUT /api/studies/:id/orientation` takes; correct answers included). */
export interface StudyOrientation {
  pages: { title: string; markdown: string }[];
  practice: unknown[];
  check: { questions: { id: string; text: string; options: string[]; correct: number }[]; passMark: number };
  required: boolean;
}

/** A study: one deployment context whose axes groups deliberate. */
export const studies = pgTable('studies', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  context: jsonb('context').$type<{ name: string; description: string; systemPrompt: string }>().notNull(),
  /** The interface language participants see unless they choose another. */
  language: text('language', { enum: ['en', 'hi'] })
    .notNull()
    .default('en'),
  /** The models participants chat with in Interact (API keys only ever named by `apiKeyEnv`). */
  models: jsonb('models').$type<StudyModel[]>().notNull().default([]),
  /** How a new conversation gets its model: the first model, a random one, or the participant's pick. */
  assignment: text('assignment', { enum: ['fixed', 'random', 'choice'] })
    .notNull()
    .default('fixed'),
  /** Which stages are open and how many turns a participant has in Interact. */
  stages: jsonb('stages').$type<StudyStages>().notNull().default(defaultStudyStages),
  /** Orientation pages, practice and comprehension check; null serves the shipped default. */
  orientation: jsonb('orientation').$type<StudyOrientation>(),
  /**
   * The baseline set every participant codes: interactions every group of the study gets a copy
   * of (with `baseline` set), so agreement is measured over the same items.
   */
  baseline: jsonb('baseline').$type<{ id: string; messages: InteractionMessage[] }[]>().notNull().default([]),
  createdAt: createdAt(),
});

/** A group of participants within a study; joined through its invite code. */
export const groups = pgTable(
  'groups',
  {
    id: text('id').primaryKey(),
    studyId: text('study_id')
      .notNull()
      .references(() => studies.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    inviteCode: text('invite_code').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('groups_invite_code_idx').on(t.inviteCode), index('groups_study_idx').on(t.studyId)],
);

/** A person who joined a group with consent. */
export const participants = pgTable(
  'participants',
  {
    id: text('id').primaryKey(),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    displayName: text('display_name').notNull(),
    consentAt: timestamp('consent_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('participants_group_idx').on(t.groupId)],
);

/**
 * The devices a participant joined from: the SHA-256 of a random key the browser keeps per invite,
 * so that joining again from the same device resumes that participant instead of making another.
 * Unique per group, which also makes two joins racing from one device (a double click) one person.
 */
export const participantDevices = pgTable(
  'participant_devices',
  {
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    keyHash: text('key_hash').notNull(),
    participantId: text('participant_id')
      .notNull()
      .references(() => participants.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.groupId, t.keyHash] }),
    index('participant_devices_participant_idx').on(t.participantId),
  ],
);

/**
 * Bearer tokens, stored as SHA-256 hashes only. `groupId` is null for nothing but admin tokens;
 * `participantId` is set for participant tokens.
 */
export const tokens = pgTable(
  'tokens',
  {
    hash: text('hash').primaryKey(),
    role: text('role', { enum: ['admin', 'moderator', 'analyst', 'participant'] }).notNull(),
    groupId: text('group_id').references(() => groups.id, { onDelete: 'cascade' }),
    participantId: text('participant_id').references(() => participants.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('tokens_group_idx').on(t.groupId)],
);

/** A conversation from the Interact stage. Ids may come from the source material. */
export const interactions = pgTable(
  'interactions',
  {
    id: text('id').primaryKey(),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    participantId: text('participant_id').references(() => participants.id, { onDelete: 'set null' }),
    baseline: boolean('baseline').notNull().default(false),
    messages: jsonb('messages').$type<InteractionMessage[]>().notNull(),
    /** `import`: from a transcript or the seed; `chat`: a conversation held in Interact. */
    source: text('source', { enum: ['import', 'chat'] })
      .notNull()
      .default('import'),
    /** The study model a chat is pinned to (its `id` in `studies.models`). */
    modelId: text('model_id'),
    /**
     * Whether people other than its author (and staff) see it: imports are shared; a chat is its
     * author's until they share it (masked), and they may withhold it again.
     */
    shared: boolean('shared').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('interactions_group_idx').on(t.groupId), index('interactions_participant_idx').on(t.participantId)],
);

/**
 * One message of an interaction. Imported messages carry `role` and `content`; chat messages also
 * carry what the model run was: for an assistant turn, the model entry and provider model name,
 * params, SHA-256 of the system prompt, timings, usage and finish reason, and `status`
 * (`incomplete`/`failed` keep the text the participant saw).
 */
export interface InteractionMessage {
  role: 'user' | 'assistant';
  content: string;
  id?: string;
  status?: 'complete' | 'incomplete' | 'failed';
  createdAt?: string;
  modelId?: string;
  provider?: 'openai' | 'local' | 'replay';
  model?: string;
  params?: { temperature?: number; maxTokens?: number; topP?: number };
  systemPromptSha256?: string;
  ttftMs?: number;
  latencyMs?: number;
  usage?: { promptTokens?: number; completionTokens?: number; totalTokens?: number };
  finishReason?: string | null;
  error?: { code: string; message: string };
}

/**
 * A participant's steps through Familiarize (pages read, practice answers, each check attempt):
 * appended, never rewritten, so progress and the research record come from the same rows.
 */
export const journeyEvents = pgTable(
  'journey_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    participantId: text('participant_id')
      .notNull()
      .references(() => participants.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('journey_events_participant_idx').on(t.participantId, t.seq)],
);

/** A free-text code from the Reflect stage, initial (open) or focused. */
export const labels = pgTable(
  'labels',
  {
    id: text('id').primaryKey(),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    participantId: text('participant_id').references(() => participants.id, { onDelete: 'set null' }),
    interactionId: text('interaction_id').references(() => interactions.id, { onDelete: 'set null' }),
    messageIndex: integer('message_index'),
    /** A coded span of the message at `messageIndex`: character offsets, `0 ≤ start < end ≤ length`; null for the whole turn. */
    spanStart: integer('span_start'),
    spanEnd: integer('span_end'),
    text: text('text').notNull(),
    annotation: text('annotation'),
    stage: text('stage', { enum: ['initial', 'focused'] }).notNull(),
    /** Insertion order within a request, so listings keep the order people gave. */
    seq: integer('seq').notNull().default(sql`0`),
    createdAt: createdAt(),
  },
  (t) => [index('labels_group_idx').on(t.groupId)],
);

/**
 * An attribute from focused coding: a participant's (or, with no participant, the moderator's)
 * grouping of codes, each counting for (+1) or against (-1) it, with example turns. `version`
 * counts its changes; every version is kept in `attribute_versions`.
 */
export const attributes = pgTable(
  'attributes',
  {
    id: text('id').primaryKey(),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    participantId: text('participant_id').references(() => participants.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    definition: text('definition').notNull(),
    codes: jsonb('codes').$type<{ labelId: string; sign: 1 | -1 }[]>().notNull().default([]),
    examples: jsonb('examples')
      .$type<{ interactionId: string; messageIndex: number; polarity: 'positive' | 'negative' }[]>()
      .notNull()
      .default([]),
    /** Whether the group's other participants see it (staff always do). */
    shared: boolean('shared').notNull().default(false),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('attributes_group_idx').on(t.groupId)],
);

/**
 * Every version of an attribute: who changed it, when, and what it then was. Kept when the
 * attribute is deleted (its last version then has a null snapshot), so it holds no reference to
 * the attribute; it goes with the group.
 */
export const attributeVersions = pgTable(
  'attribute_versions',
  {
    attributeId: text('attribute_id').notNull(),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** The participant who made the change, or the role (`moderator`, `admin`) for staff. */
    changedBy: text('changed_by').notNull(),
    /** The attribute as this version left it (null: deleted). */
    snapshot: jsonb('snapshot').$type<Record<string, unknown> | null>(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.attributeId, t.version] })],
);

/**
 * A Discuss session of one group. `state` is core's `SessionState` (absolute clocks, so a running
 * segment resumes correctly after a restart); `version` guards against lost updates.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    state: jsonb('state').$type<SessionState>().notNull(),
    version: integer('version').notNull().default(0),
    /** Segment-1 attribute id → final attribute id or null, as the moderator confirmed it. */
    mapping: jsonb('mapping').$type<Record<string, string | null>>().notNull().default({}),
    groupTop3: jsonb('group_top3').$type<string[]>().notNull().default([]),
    groupTop5: jsonb('group_top5').$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('sessions_group_idx').on(t.groupId)],
);

/** A participant's private top-3 attributes from segment 1. */
export const segment1Attributes = pgTable(
  'segment1_attributes',
  {
    id: text('id').primaryKey(),
    sessionId: sessionRef(),
    participantId: text('participant_id')
      .notNull()
      .references(() => participants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    definition: text('definition').notNull(),
    rank: integer('rank').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('segment1_session_idx').on(t.sessionId, t.participantId)],
);

/** The group's final attributes from segment 4, in the moderator's order. */
export const finalAttributes = pgTable(
  'final_attributes',
  {
    id: text('id').primaryKey(),
    sessionId: sessionRef(),
    name: text('name').notNull(),
    definition: text('definition').notNull(),
    exampleInteractionIds: jsonb('example_interaction_ids').$type<string[]>().notNull().default([]),
    sourceLabelIds: jsonb('source_label_ids').$type<string[]>().notNull().default([]),
    position: integer('position').notNull(),
  },
  (t) => [index('final_attributes_session_idx').on(t.sessionId)],
);

/** A participant's private segment-5 ratings (Likert per final attribute) and ranking. */
export const segment5Ratings = pgTable(
  'segment5_ratings',
  {
    sessionId: sessionRef(),
    participantId: text('participant_id')
      .notNull()
      .references(() => participants.id, { onDelete: 'cascade' }),
    likert: jsonb('likert').$type<Record<string, number>>().notNull(),
    ranking: jsonb('ranking').$type<string[]>().notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.participantId] })],
);

/** Binary column: Yjs updates and snapshots. node-postgres wants a Buffer; both drivers return bytes. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => new Uint8Array(value),
});

/**
 * The board's accepted Yjs updates, in acceptance order: written (batched per tick) before they
 * are broadcast, folded into `board_snapshots` from time to time.
 *
 * `session_id` names a session without a foreign key: this INSERT runs before every broadcast,
 * and the key's check (a share lock on the session's row, per transaction) was more than half of
 * its cost on PGlite (0.25 → 0.11 ms of CPU per append). Only a room the server opened for a
 * session it read appends here, and sessions are never deleted.
 */
export const boardUpdates = pgTable(
  'board_updates',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    sessionId: text('session_id').notNull(),
    update: bytea('update').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('board_updates_session_idx').on(t.sessionId, t.seq)],
);

/**
 * A board's state up to and including update `upToSeq`, as one Yjs update: in `state` (boards
 * compacted before snapshots were written in parts), or in `board_snapshot_parts` of `generation`.
 */
export const boardSnapshots = pgTable('board_snapshots', {
  sessionId: text('session_id')
    .primaryKey()
    .references(() => sessions.id, { onDelete: 'cascade' }),
  state: bytea('state'),
  generation: integer('generation').notNull().default(0),
  upToSeq: bigint('up_to_seq', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * A snapshot in parts of at most 64 KiB, written one statement each before the snapshot row
 * points at their generation: no long transaction, and the event loop runs between parts.
 */
export const boardSnapshotParts = pgTable(
  'board_snapshot_parts',
  {
    sessionId: sessionRef(),
    generation: integer('generation').notNull(),
    part: integer('part').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.generation, t.part] })],
);

/**
 * Embedding vectors (float32, little-endian) by model and SHA-256 of the exact text, so nothing
 * is embedded twice: labels are embedded once per model, whatever map or summary asks again.
 */
export const embeddings = pgTable(
  'embeddings',
  {
    model: text('model').notNull(),
    textHash: text('text_hash').notNull(),
    dims: integer('dims').notNull(),
    vector: bytea('vector').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.model, t.textHash] })],
);

/** A point of an affinity map: a card, where the layout put it, and its suggested cluster. */
export interface AffinityMapPoint {
  cardId: string;
  labelId?: string;
  segment1AttributeId?: string;
  x: number;
  y: number;
  clusterId: number;
}

/** A suggested cluster: its number, a name from its most common words, its size. */
export interface AffinityMapCluster {
  id: number;
  name: string;
  size: number;
}

/** A session's latest affinity map: how it was made and where the layout put every card. */
export const affinityMaps = pgTable('affinity_maps', {
  sessionId: text('session_id')
    .primaryKey()
    .references(() => sessions.id, { onDelete: 'cascade' }),
  model: text('model').notNull(),
  dims: integer('dims').notNull(),
  seed: bigint('seed', { mode: 'number' }).notNull(),
  include: jsonb('include').$type<string[]>().notNull(),
  points: jsonb('points').$type<AffinityMapPoint[]>().notNull(),
  clusters: jsonb('clusters').$type<AffinityMapCluster[]>().notNull(),
  ms: integer('ms').notNull(),
  createdAt: createdAt(),
});

// ─── Alignment outputs (issue 15): replay, comparison, judges, A/B rounds ───────────────────────

/**
 * What happened in a Discuss session, in order, for its replay: segment changes (with the segment
 * entered), pauses, reveals, submission counts, the end. Appended, never rewritten.
 */
export const sessionEvents = pgTable(
  'session_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    sessionId: sessionRef(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    type: text('type').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('session_events_session_idx').on(t.sessionId, t.at)],
);

/**
 * The board as it stood at a moment (a Yjs state update of the whole document), for replay: taken
 * at every segment change and at most every 30 s while the board changes. Kept after compaction.
 */
export const boardMoments = pgTable(
  'board_moments',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    sessionId: sessionRef(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** `segment`, `interval` or `end`: why this moment was kept. */
    reason: text('reason').notNull(),
    state: bytea('state').notNull(),
  },
  (t) => [index('board_moments_session_idx').on(t.sessionId, t.at)],
);

/**
 * An analyst's decision on a pair in a study's cross-group comparison of axes (final attributes):
 * `confirmed` (a suggested pair kept, or a pair the analyst made, as `shared` or `near`) or
 * `broken` (a suggested pair rejected). `a` is the lesser attribute id, so a pair has one row.
 */
export const comparisonDecisions = pgTable(
  'comparison_decisions',
  {
    studyId: text('study_id')
      .notNull()
      .references(() => studies.id, { onDelete: 'cascade' }),
    aAttributeId: text('a_attribute_id').notNull(),
    bAttributeId: text('b_attribute_id').notNull(),
    status: text('status', { enum: ['confirmed', 'broken'] }).notNull(),
    kind: text('kind', { enum: ['shared', 'near'] }).notNull(),
    decidedBy: text('decided_by').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.studyId, t.aAttributeId, t.bAttributeId] })],
);

/**
 * Every version of an axis's LLM-judge rubric (prompt, 1–5 score levels, few-shot examples): the
 * first is built from the group's definition and examples, later ones are the analyst's edits.
 */
export const judgeRubrics = pgTable(
  'judge_rubrics',
  {
    finalAttributeId: text('final_attribute_id')
      .notNull()
      .references(() => finalAttributes.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    sessionId: sessionRef(),
    rubric: jsonb('rubric').$type<Record<string, unknown>>().notNull(),
    /** The role or participant who wrote this version (`built` for the generated first one). */
    editedBy: text('edited_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.finalAttributeId, t.version] }), index('judge_rubrics_session_idx').on(t.sessionId)],
);

/**
 * A judge run over a session's axes: the LLM judge with a study model, or the offline classifier
 * per axis. Resumable: scores already in `judge_scores` are not asked again.
 */
export const judgeRuns = pgTable(
  'judge_runs',
  {
    id: text('id').primaryKey(),
    sessionId: sessionRef(),
    kind: text('kind', { enum: ['llm', 'classifier'] }).notNull(),
    modelId: text('model_id'),
    /** The interactions to score (null: every interaction of the group). */
    interactionIds: jsonb('interaction_ids').$type<string[] | null>(),
    /** Rubric version per axis that the run used. */
    rubricVersions: jsonb('rubric_versions').$type<Record<string, number>>().notNull().default({}),
    status: text('status', { enum: ['running', 'done', 'failed'] }).notNull(),
    progress: jsonb('progress').$type<{ done: number; total: number }>().notNull().default({ done: 0, total: 0 }),
    agreement: jsonb('agreement').$type<Record<string, unknown>[]>().notNull().default([]),
    error: jsonb('error').$type<{ code: string; message: string } | null>(),
    tokens: integer('tokens').notNull().default(0),
    ms: integer('ms').notNull().default(0),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('judge_runs_session_idx').on(t.sessionId)],
);

/** One score of a judge run: an assistant turn along one axis. */
export const judgeScores = pgTable(
  'judge_scores',
  {
    runId: text('run_id')
      .notNull()
      .references(() => judgeRuns.id, { onDelete: 'cascade' }),
    interactionId: text('interaction_id').notNull(),
    messageIndex: integer('message_index').notNull(),
    axisId: text('axis_id').notNull(),
    score: integer('score').notNull(),
    /** The judge's reason (LLM) or the classifier's probability, as text. */
    rationale: text('rationale'),
    tokens: integer('tokens').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.interactionId, t.messageIndex, t.axisId] })],
);

/**
 * A community A/B round: two study models answer the same prompts; participants, not told which
 * is which, choose per axis. `axes` are the session's final attributes as they were when it opened.
 */
export const abRounds = pgTable(
  'ab_rounds',
  {
    id: text('id').primaryKey(),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    sessionId: text('session_id').references(() => sessions.id, { onDelete: 'set null' }),
    modelA: text('model_a').notNull(),
    modelB: text('model_b').notNull(),
    axes: jsonb('axes').$type<{ id: string; name: string; definition: string }[]>().notNull(),
    /** Where prompts come from: the study's baseline set, the participants, or both. */
    prompts: text('prompts', { enum: ['baseline', 'own', 'both'] })
      .notNull()
      .default('both'),
    status: text('status', { enum: ['open', 'closed'] }).notNull(),
    createdAt: createdAt(),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('ab_rounds_group_idx').on(t.groupId)],
);

/**
 * One A/B comparison a participant made: the prompt, both answers in the order shown (`firstModel`
 * says which model came first, never sent to the participant) and their choice per axis.
 */
export const abItems = pgTable(
  'ab_items',
  {
    id: text('id').primaryKey(),
    roundId: text('round_id')
      .notNull()
      .references(() => abRounds.id, { onDelete: 'cascade' }),
    participantId: text('participant_id').references(() => participants.id, { onDelete: 'set null' }),
    prompt: text('prompt').notNull(),
    /** Where the prompt came from: a baseline interaction id, or null for one the participant wrote. */
    baselineId: text('baseline_id'),
    firstModel: text('first_model', { enum: ['a', 'b'] }).notNull(),
    answers: jsonb('answers').$type<{ first: string; second: string }>().notNull(),
    /** Axis id → `a`, `b` or `equal` (stored by model; the participant chose first/second). */
    votes: jsonb('votes').$type<Record<string, 'a' | 'b' | 'equal'>>(),
    createdAt: createdAt(),
    votedAt: timestamp('voted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('ab_items_round_idx').on(t.roundId)],
);
