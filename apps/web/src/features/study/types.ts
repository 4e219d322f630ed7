/**
 * The study set-up's shapes, as the contract names them (api.md, "Models and chat" and
 * "Familiarize"). Written here rather than imported because the routes land in parallel; the names
 * are the contract's.
 */

/** A provider a study model runs on. */
export type ModelProvider = 'openai' | 'local' | 'replay';

/** One model of a study; the API key is only ever named by `apiKeyEnv`. */
export interface StudyModel {
  id: string;
  label: string;
  provider: ModelProvider;
  baseUrl?: string;
  model: string;
  params?: { temperature?: number; maxTokens?: number; topP?: number };
  apiKeyEnv?: string;
}

/** How a new conversation gets its model. */
export type Assignment = 'fixed' | 'random' | 'choice';

/** `GET`/`PUT /api/studies/:studyId/models`. */
export interface StudyModels {
  models: StudyModel[];
  assignment: Assignment;
}

/** A stage of the CALMA process. */
export type Stage = 'familiarize' | 'interact' | 'reflect' | 'discuss';

/** Every stage, in order. */
export const stages: readonly Stage[] = ['familiarize', 'interact', 'reflect', 'discuss'];

/** Stage settings of a study. */
export interface StudyStages {
  open: Stage[];
  minTurns: number;
  maxTurns: number;
}

/** A study as `GET /api/studies/:studyId` returns it. */
export interface StudyDetail {
  id: string;
  title: string;
  context: { name: string; description: string; systemPrompt: string };
  language: 'en' | 'hi';
  createdAt: string;
}

/** A check question, with its correct option (the owner's view). */
export interface CheckQuestion {
  id: string;
  text: string;
  options: string[];
  correct: number;
}

/** `GET /api/studies/:studyId/orientation`, as far as the set-up page summarises it. */
export interface StudyOrientation {
  pages: { title: string; markdown: string }[];
  practice: unknown[];
  check: { questions: CheckQuestion[]; passMark: number };
  required: boolean;
}
