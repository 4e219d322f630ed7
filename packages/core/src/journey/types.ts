/**
 * The shapes of Familiarize: a study's orientation (pages, practice, comprehension check) and a
 * participant's journey through the CALMA stages. Plain types: the protocol's schemas check them
 * at the edge, core trusts them.
 */

/** The stages of the CALMA process, in order. */
export type JourneyStage = 'familiarize' | 'interact' | 'reflect' | 'discuss';

/** Every stage, in the order a participant goes through them. */
export const journeyStages: readonly JourneyStage[] = ['familiarize', 'interact', 'reflect', 'discuss'];

/** One orientation page: a title and Markdown (rendered without raw HTML). */
export interface OrientationPage {
  title: string;
  markdown: string;
}

/** A response from the practice context to label, with the labels an experienced coder gave it. */
export interface PracticeItem {
  id: string;
  /** What the user asked the assistant. */
  prompt: string;
  /** The assistant's answer the participant labels. */
  response: string;
  /** Reference labels: shown only after the participant submitted theirs. */
  referenceLabels: string[];
}

/** A multiple-choice question; `correct` is the index of the right option (never sent to participants). */
export interface CheckQuestion {
  id: string;
  text: string;
  options: string[];
  correct: number;
}

/** A study's orientation as its owner sets it (correct answers and reference labels included). */
export interface Orientation {
  pages: OrientationPage[];
  practice: PracticeItem[];
  check: { questions: CheckQuestion[]; passMark: number };
  /** Whether the check must be passed before Interact. */
  required: boolean;
}

/** A study's stage settings: which stages are open, and the user turns a participant has in Interact. */
export interface StageSettings {
  open: readonly JourneyStage[];
  minTurns: number;
  maxTurns: number;
}

/** What a participant did in Familiarize, as stored (append-only) journey events. */
export type JourneyEventKind = 'orientation-read' | 'practice-submitted' | 'check-attempt';

/** Journey event kinds, as stored in `journey_events.kind`. */
export const JourneyEventKind = {
  orientationRead: 'orientation-read',
  practiceSubmitted: 'practice-submitted',
  checkAttempt: 'check-attempt',
} as const satisfies Record<string, JourneyEventKind>;

/** A stored journey event: its kind and data (`{page}`, `{answers, …}`, `{score, passed, …}`). */
export interface JourneyEvent {
  kind: string;
  data: Record<string, unknown>;
}
