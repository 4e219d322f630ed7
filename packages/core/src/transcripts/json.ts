import { checkFile, checkInteraction, messageProblem, Problems } from './check.js';
import type { TranscriptInteraction, TranscriptMessage, TranscriptParse } from './model.js';

/** Calma's JSON transcript file, as exported. */
export interface TranscriptJsonFile {
  format: 'calma-transcripts';
  version: 1;
  exportedAt: string;
  group?: { id: string; name: string };
  interactions: TranscriptInteraction[];
}

/** Calma's JSON file for `interactions`. */
export function toTranscriptJson(
  interactions: TranscriptInteraction[],
  meta: { exportedAt: string; group?: { id: string; name: string } },
): string {
  const file: TranscriptJsonFile = { format: 'calma-transcripts', version: 1, ...meta, interactions };
  return `${JSON.stringify(file, null, 2)}\n`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => (typeof v === 'string' ? v : undefined);
const optionalNumber = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Reads Calma's JSON: the export's `{interactions:[…]}`, the import route's body, or a bare list.
 * Each item: `{id?, participant? | participantId?, baseline?, messages:[{role, content, …}]}`.
 * Problems name the item (`row`, 1-based) and the field.
 */
export function parseTranscriptJson(text: string): TranscriptParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [{ row: 1, message: `not JSON: ${(err as Error).message}` }] };
  }
  const list = Array.isArray(value) ? value : isObject(value) ? value.interactions : undefined;
  if (!Array.isArray(list)) {
    return { ok: false, problems: [{ row: 1, message: 'expected {"interactions": [...]} or a list of interactions' }] };
  }
  const problems = new Problems();
  const items: { item: TranscriptInteraction; row: number }[] = [];
  for (const [index, raw] of (list as unknown[]).entries()) {
    const row = index + 1;
    if (!isObject(raw)) {
      problems.add(row, 'an interaction must be an object');
      continue;
    }
    if (raw.id !== undefined && typeof raw.id !== 'string') problems.add(row, 'id must be a string', 'id');
    if (raw.baseline !== undefined && typeof raw.baseline !== 'boolean') {
      problems.add(row, 'baseline must be true or false', 'baseline');
    }
    if (!Array.isArray(raw.messages)) {
      problems.add(row, 'messages must be a list', 'messages');
      continue;
    }
    const messages: TranscriptMessage[] = [];
    const before = problems.list.length;
    for (const [i, m] of (raw.messages as unknown[]).entries()) {
      const field = `messages[${i}]`;
      if (!isObject(m)) {
        problems.add(row, 'a message must be an object', field);
        continue;
      }
      const problem = messageProblem({ role: m.role as TranscriptMessage['role'], content: m.content as string });
      if (problem) {
        problems.add(row, problem, field);
        continue;
      }
      messages.push(readMessage(m));
    }
    const participant = optionalString(raw.participant) ?? optionalString(raw.participantId) ?? null;
    const item: TranscriptInteraction = {
      ...(typeof raw.id === 'string' ? { id: raw.id } : {}),
      participant,
      baseline: raw.baseline === true,
      messages,
    };
    if (problems.list.length === before) checkInteraction(item, row, problems);
    items.push({ item, row });
  }
  checkFile(items, problems);
  if (problems.list.length > 0) return { ok: false, problems: problems.list };
  return { ok: true, interactions: items.map((i) => i.item) };
}

/** The fields of a message worth keeping; anything else in the file is dropped. */
function readMessage(m: Record<string, unknown>): TranscriptMessage {
  const message: TranscriptMessage = { role: m.role as TranscriptMessage['role'], content: m.content as string };
  const status = m.status;
  if (status === 'complete' || status === 'incomplete' || status === 'failed') message.status = status;
  const provider = m.provider;
  if (provider === 'openai' || provider === 'local' || provider === 'replay') message.provider = provider;
  for (const key of ['id', 'createdAt', 'modelId', 'model', 'systemPromptSha256'] as const) {
    const v = optionalString(m[key]);
    if (v !== undefined) message[key] = v;
  }
  for (const key of ['ttftMs', 'latencyMs'] as const) {
    const v = optionalNumber(m[key]);
    if (v !== undefined) message[key] = v;
  }
  if (typeof m.finishReason === 'string') message.finishReason = m.finishReason;
  if (isObject(m.usage)) {
    const usage = {
      promptTokens: optionalNumber(m.usage.promptTokens),
      completionTokens: optionalNumber(m.usage.completionTokens),
      totalTokens: optionalNumber(m.usage.totalTokens),
    };
    message.usage = Object.fromEntries(Object.entries(usage).filter(([, v]) => v !== undefined));
  }
  return message;
}
