import type { schema } from '@calma/db';
import { type Database, findStudy, setStudyModels } from '@calma/db';
import { briefReplayModel } from '@calma/models';

type StudyModel = schema.StudyModel;

/** The demo's offline model: the pilot's recorded responses, replayed (and labelled so). */
export const demoReplayModel: StudyModel = {
  id: 'replay',
  label: 'Recorded pilot answers',
  provider: 'replay',
  model: 'replay',
};

/**
 * The demo's second offline voice: the same recordings cut to their first two sentences, so an A/B
 * round on the demo has two models whose answers differ in a way people can judge.
 */
export const demoBriefReplayModel: StudyModel = {
  id: 'replay-brief',
  label: 'Recorded pilot answers, first two sentences',
  provider: 'replay',
  model: briefReplayModel,
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
 * Gives the demo study its chat models: the two replay voices when it has none, or when it has the
 * replay model alone (data directories seeded before A/B rounds get the brief voice on their next
 * start), and the environment's OpenAI-compatible model when one is named, kept in step with the
 * variables. Participants chat with the first model (the full replay) unless the OpenAI-compatible
 * model is added, when they choose.
 */
export async function ensureDemoModels(
  db: Database,
  studyId: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const study = await findStudy(db, studyId);
  if (!study) return;
  const onlyReplay = study.models.length === 1 && study.models[0]?.id === demoReplayModel.id;
  let models = study.models.length === 0 || onlyReplay ? [demoReplayModel, demoBriefReplayModel] : study.models;
  const openai = demoOpenAIModel(env);
  if (openai) {
    const current = models.find((m) => m.id === demoOpenAIModelId);
    if (JSON.stringify(current) !== JSON.stringify(openai)) {
      models = [openai, ...models.filter((m) => m.id !== demoOpenAIModelId)];
    }
  }
  if (models === study.models) return;
  const openaiAdded = openai !== null && !study.models.some((m) => m.id === demoOpenAIModelId);
  const assignment = openaiAdded ? 'choice' : study.assignment;
  await setStudyModels(db, studyId, models, assignment);
}
