import type { StudyModels } from '@calma/protocol';
import { badRequest } from '../errors.js';

/**
 * Variables a model's `apiKeyEnv` may not name: the server's own secrets, which would otherwise be
 * sent as a bearer token to whatever `baseUrl` says.
 */
const reservedVariables = /^(DATABASE_URL|REDIS_URL|CALMA_ADMIN_TOKEN|PG[A-Z_]*)$/;

/**
 * Checks a study's models beyond their schema: unique ids, `baseUrl` an http(s) URL, and keys only
 * ever named (a body carrying an `apiKey` is refused, saying to use `apiKeyEnv`).
 */
export function checkStudyModels(body: StudyModels): void {
  const ids = new Set<string>();
  for (const [index, model] of body.models.entries()) {
    const raw = model as Record<string, unknown>;
    const keyField = Object.keys(raw).find((k) => /^(api_?key|key|token|secret)$/i.test(k));
    if (keyField) {
      throw badRequest(
        `models[${index}].${keyField}: API keys are never stored; put the key in an environment variable on the server and name it in apiKeyEnv`,
      );
    }
    if (ids.has(model.id)) throw badRequest(`models[${index}].id "${model.id}" is used twice`);
    ids.add(model.id);
    if (model.label.trim() === '' || model.model.trim() === '') {
      throw badRequest(`models[${index}]: label and model may not be blank`);
    }
    if (model.baseUrl !== undefined) {
      const url = URL.canParse(model.baseUrl) ? new URL(model.baseUrl) : null;
      if (!url || !['http:', 'https:'].includes(url.protocol)) {
        throw badRequest(`models[${index}].baseUrl must be an http:// or https:// URL`);
      }
    }
    if (model.apiKeyEnv !== undefined && reservedVariables.test(model.apiKeyEnv)) {
      throw badRequest(
        `models[${index}].apiKeyEnv may not name ${model.apiKeyEnv}: it holds one of Calma's own secrets`,
      );
    }
  }
}
