import type { schema } from '@calma/db';
import { type Database, findStudy, setStudyModels } from '@calma/db';

type StudyModel = schema.StudyModel;

/** The demo's offline model: the pilot's recorded responses, replayed (and labelled so). */
export const demoReplayModel: StudyModel = {
  id: 'replay',
  label: 'Recorded pilot answers',
  provider: 'replay',
  model: 'replay',
};

/** The id of the OpenAI-compatible entry `CALMA_DEMO_OPENAI_URL` and `CALMA_DEMO_OPENAI_MODEL` make. */
export const demoOpenAIModelId = 'demo-openai';

/**
 * The OpenAI-compatible model the environment names for the demo (the compose `ollama` profile
 * sets these), or null: `CALMA_DEMO_OPENAI_URL` (an http(s) base URL ending in `/v1`),
 * `CALMA_DEMO_OPENAI_MODEL`, and optionally `CALMA_DEMO_OPENAI_KEY_ENV` naming the key's variable.
 */
export function demoOpenAIModel(env: Readonly<Record<string, string | undefined>>): StudyModel | null {
  const baseUrl = env.CALMA_DEMO_OPENAI_URL?.trim();
  const model = env.CALMA_DEMO_OPENAI_MODEL?.trim();
  if (!baseUrl || !model) return null;
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    console.warn(
      `CALMA_DEMO_OPENAI_URL is not an http(s) URL ("${baseUrl}"): the demo study keeps its replay model only`,
    );
    return null;
  }
  const keyEnv = env.CALMA_DEMO_OPENAI_KEY_ENV?.trim();
  return {
    id: demoOpenAIModelId,
    label: `${model} (OpenAI-compatible)`,
    provider: 'openai',
    baseUrl,
    model,
    ...(keyEnv ? { apiKeyEnv: keyEnv } : {}),
  };
}

/**
 * Gives the demo study its chat models: the replay model when it has none (a data directory seeded
 * before Interact existed gets it on its next start), and the environment's OpenAI-compatible model
 * when one is named, kept in step with the variables. With both, participants choose.
 */
export async function ensureDemoModels(
  db: Database,
  studyId: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const study = await findStudy(db, studyId);
  if (!study) return;
  let models = study.models.length === 0 ? [demoReplayModel] : study.models;
  const openai = demoOpenAIModel(env);
  if (openai) {
    const current = models.find((m) => m.id === demoOpenAIModelId);
    if (JSON.stringify(current) !== JSON.stringify(openai)) {
      models = [openai, ...models.filter((m) => m.id !== demoOpenAIModelId)];
    }
  }
  if (models === study.models) return;
  const assignment = models.length > 1 && study.models.length <= 1 ? 'choice' : study.assignment;
  await setStudyModels(db, studyId, models, assignment);
}
