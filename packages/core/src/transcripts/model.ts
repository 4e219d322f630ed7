/**
 * Transcripts: a group's interactions as files, in and out. Pure parsers and serialisers; the
 * server decides what may be exported (visibility, pseudonyms) and stores what was imported.
 */

/** The turn fields every format carries. */
export interface TranscriptMessage {
  role: 'user' | 'assistant';
  content: string;
  /** Chat turns only: how the answer was made (see the interactions schema). */
  id?: string;
  status?: 'complete' | 'incomplete' | 'failed';
  createdAt?: string;
  modelId?: string;
  provider?: 'openai' | 'local' | 'replay';
  model?: string;
  systemPromptSha256?: string;
  ttftMs?: number;
  latencyMs?: number;
  usage?: { promptTokens?: number; completionTokens?: number; totalTokens?: number };
  finishReason?: string | null;
}

/** One interaction in a transcript file. */
export interface TranscriptInteraction {
  /** The source's id; kept on import when it is free in the target group. */
  id?: string;
  /** Who held it, as the file names them: a pseudonym (`P1`), a display name, or null. */
  participant?: string | null;
  baseline: boolean;
  source?: 'import' | 'chat';
  modelId?: string | null;
  messages: TranscriptMessage[];
  /**
   * Codes a file put on this interaction (OCML's coded export): whole-turn codes on its last
   * assistant turn, by `coder` as the file names them (null: whoever imports).
   */
  codes?: TranscriptCodes;
}

/** Codes an import puts on one interaction's answer. */
export interface TranscriptCodes {
  /** Trimmed, non-empty, each once. */
  texts: string[];
  coder: string | null;
  note: string | null;
  /** The file's line these came from, for problems only the importer can find (an unknown coder). */
  row: number;
}

/** The three formats: Calma's JSON, Calma's CSV (a row per message), OCML's `ID,TEXT` CSV. */
export type TranscriptFormat = 'json' | 'csv' | 'ocml';

/** What is wrong with an input, and where: `row` is the 1-based line of a CSV record, or the 1-based item of a JSON list. */
export interface TranscriptProblem {
  row: number;
  field?: string;
  message: string;
}

/** A parse: the interactions, or every problem found (nothing is half-imported). */
export type TranscriptParse =
  | { ok: true; interactions: TranscriptInteraction[] }
  | { ok: false; problems: TranscriptProblem[] };

/** The limits imports share with `POST /api/groups/:groupId/interactions`. */
export const transcriptLimits = {
  interactions: 5_000,
  messagesPerInteraction: 200,
  contentChars: 50_000,
  idChars: 128,
  /** A code's characters, as `POST /api/groups/:groupId/labels` takes them. */
  codeChars: 500,
  /** Codes in one file (one labels request's worth). */
  codes: 10_000,
  noteChars: 5_000,
  /** Problems listed at most; past that the input is certainly not what was meant. */
  problems: 50,
} as const;

/** Ids as the API accepts them. */
export const transcriptIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/;
