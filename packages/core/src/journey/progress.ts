import { type JourneyEvent, JourneyEventKind, type JourneyStage, journeyStages, type StageSettings } from './types.js';

/** The steps of the journey, each in one stage. */
export type JourneyStepId = 'orientation' | 'practice' | 'check' | 'chat' | 'code' | 'discuss';

/** One step: whether it is done, and whether moving on waits for it. */
export interface JourneyStep {
  id: JourneyStepId;
  stage: JourneyStage;
  done: boolean;
  required: boolean;
}

/** What progress is computed from: the study's settings and what the participant did. */
export interface ProgressInput {
  stages: StageSettings;
  /** The orientation's size and rule (not its content). */
  orientation: { pages: number; practice: number; questions: number; passMark: number; required: boolean };
  /** The participant's journey events, oldest first. */
  events: readonly JourneyEvent[];
  /** User turns across the participant's own chat conversations. */
  userTurns: number;
  /** The participant's chat conversations. */
  conversations: number;
  /** Labels the participant wrote. */
  labels: number;
  /** The group's Discuss session the participant should join (the latest not ended), or null. */
  discussSessionId: string | null;
}

/** Where a participant stands: their stage, each stage and step, and the counts behind them. */
export interface JourneyProgress {
  stage: JourneyStage;
  /** The current stage is not open yet: the participant waits for the study team to open it. */
  waiting: boolean;
  stages: { stage: JourneyStage; open: boolean; done: boolean }[];
  steps: JourneyStep[];
  pages: { read: number; total: number };
  practice: { done: boolean; items: number };
  check: {
    required: boolean;
    passed: boolean;
    attempts: number;
    /** The best score so far, or null before the first attempt. */
    bestScore: number | null;
    passMark: number;
    questions: number;
  };
  turns: { done: number; min: number; max: number };
  conversations: number;
  labels: number;
  sessionId: string | null;
}

const pageOf = (event: JourneyEvent): number | null => {
  const page = event.data.page;
  return typeof page === 'number' && Number.isInteger(page) && page >= 0 ? page : null;
};

/**
 * A participant's progress through Familiarize → Interact → Reflect → Discuss. Familiarize lasts
 * until a required check is passed (or, when the check is not required, until every orientation
 * page was read); Interact until the participant has written `minTurns` user turns; then Reflect,
 * and Discuss once the group has a Discuss session. A closed stage is skipped when a later one is
 * open (a study that works from imported material opens only Reflect and Discuss); when nothing
 * later is open the participant waits at it (`waiting`) until the study team opens it.
 */
export function journeyProgress(input: ProgressInput): JourneyProgress {
  const open = new Set(input.stages.open);
  const { orientation } = input;
  const read = new Set<number>();
  let practiceDone = false;
  let attempts = 0;
  let passed = false;
  let bestScore: number | null = null;
  for (const event of input.events) {
    if (event.kind === JourneyEventKind.orientationRead) {
      const page = pageOf(event);
      if (page !== null && page < orientation.pages) read.add(page);
    } else if (event.kind === JourneyEventKind.practiceSubmitted) {
      practiceDone = true;
    } else if (event.kind === JourneyEventKind.checkAttempt) {
      attempts += 1;
      if (event.data.passed === true) passed = true;
      const score = event.data.score;
      if (typeof score === 'number') bestScore = Math.max(bestScore ?? 0, score);
    }
  }
  const allRead = read.size >= orientation.pages;
  const checkRequired = orientation.required && orientation.questions > 0;
  const minTurns = Math.max(0, input.stages.minTurns);

  const done: Record<JourneyStage, boolean> = {
    familiarize: checkRequired ? passed : allRead,
    interact: input.userTurns >= minTurns,
    reflect: input.labels > 0,
    discuss: false,
  };

  const steps: JourneyStep[] = [
    { id: 'orientation', stage: 'familiarize', done: allRead, required: !checkRequired },
    { id: 'practice', stage: 'familiarize', done: practiceDone, required: false },
    { id: 'check', stage: 'familiarize', done: passed, required: checkRequired },
    { id: 'chat', stage: 'interact', done: done.interact, required: true },
    { id: 'code', stage: 'reflect', done: done.reflect, required: false },
    { id: 'discuss', stage: 'discuss', done: false, required: false },
  ];

  const laterOpen = (stage: JourneyStage) =>
    journeyStages.slice(journeyStages.indexOf(stage) + 1).some((s) => open.has(s));
  let stage: JourneyStage = 'reflect';
  let waiting = false;
  const current = (['familiarize', 'interact'] as const).find((s) => !done[s] && (open.has(s) || !laterOpen(s)));
  if (current) {
    stage = current;
    waiting = !open.has(current);
  } else if (open.has('discuss') && (input.discussSessionId !== null || !open.has('reflect'))) {
    stage = 'discuss';
    waiting = input.discussSessionId === null;
  } else {
    stage = 'reflect';
    waiting = !open.has('reflect');
  }

  return {
    stage,
    waiting,
    stages: journeyStages.map((s) => ({ stage: s, open: open.has(s), done: done[s] })),
    steps,
    pages: { read: read.size, total: orientation.pages },
    practice: { done: practiceDone, items: orientation.practice },
    check: {
      required: checkRequired,
      passed,
      attempts,
      bestScore,
      passMark: orientation.passMark,
      questions: orientation.questions,
    },
    turns: { done: input.userTurns, min: minTurns, max: input.stages.maxTurns },
    conversations: input.conversations,
    labels: input.labels,
    sessionId: input.discussSessionId,
  };
}

/** Why a participant may not start a conversation yet, or null when they may. */
export type InteractRefusal = { code: 'STAGE_CLOSED' | 'CHECK_REQUIRED'; message: string } | null;

/**
 * The Interact gate: a conversation may start only while Interact is open and, when Familiarize
 * is open and its check required, once the participant has passed it.
 */
export function interactRefusal(input: {
  stages: StageSettings;
  required: boolean;
  questions: number;
  events: readonly JourneyEvent[];
}): InteractRefusal {
  if (!input.stages.open.includes('interact'))
    return { code: 'STAGE_CLOSED', message: 'Interact is not open in this study yet' };
  if (!input.stages.open.includes('familiarize') || !input.required || input.questions === 0) return null;
  const passed = input.events.some((e) => e.kind === JourneyEventKind.checkAttempt && e.data.passed === true);
  return passed
    ? null
    : { code: 'CHECK_REQUIRED', message: 'Pass the comprehension check in Familiarize before starting a conversation' };
}
