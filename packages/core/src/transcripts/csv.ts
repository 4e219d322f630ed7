import { checkFile, checkInteraction, messageProblem, Problems } from './check.js';
import { readCsv, unguardCell, writeCsv } from './csv-rows.js';
import type { TranscriptInteraction, TranscriptMessage, TranscriptParse } from './model.js';

/**
 * Calma's CSV: one row per message, in message order. Rows of one interaction share its
 * `interaction_id`; the interaction's fields (participant, baseline, source, model) repeat on each
 * row so that a spreadsheet filter keeps whole rows meaningful. The model columns are empty for
 * imported and user turns. Written for spreadsheets (a BOM, formulas defused: see `writeCsv`).
 */
export const transcriptCsvColumns = [
  'interaction_id',
  'participant',
  'baseline',
  'source',
  'message_index',
  'role',
  'content',
  'status',
  'model_id',
  'provider',
  'model',
  'ttft_ms',
  'latency_ms',
  'prompt_tokens',
  'completion_tokens',
  'finish_reason',
  'system_prompt_sha256',
  'created_at',
] as const;

/** The columns an import needs; the others may be left out. */
const requiredColumns = ['interaction_id', 'role', 'content'] as const;

/** Calma's CSV for `interactions`. */
export function toTranscriptCsv(interactions: TranscriptInteraction[]): string {
  const rows: (string | number | boolean | null | undefined)[][] = [[...transcriptCsvColumns]];
  interactions.forEach((item, n) => {
    const id = item.id ?? `interaction-${n + 1}`;
    item.messages.forEach((m, index) => {
      rows.push([
        id,
        item.participant ?? '',
        item.baseline,
        item.source ?? 'import',
        index,
        m.role,
        m.content,
        m.status,
        m.modelId ?? (m.role === 'assistant' ? item.modelId : undefined),
        m.provider,
        m.model,
        m.ttftMs,
        m.latencyMs,
        m.usage?.promptTokens,
        m.usage?.completionTokens,
        m.finishReason,
        m.systemPromptSha256,
        m.createdAt,
      ]);
    });
  });
  return writeCsv(rows, { spreadsheet: true });
}

/**
 * Reads Calma's CSV. The header names the columns (any order; `interaction_id`, `role` and
 * `content` required). Messages are ordered by `message_index` when given, else by row order.
 * Problems carry the line the bad record starts on.
 */
export function parseTranscriptCsv(text: string): TranscriptParse {
  const records = readCsv(text);
  const header = records[0];
  if (!header) return { ok: false, problems: [{ row: 1, message: 'the file is empty' }] };
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const missing = requiredColumns.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    return {
      ok: false,
      problems: [{ row: header.line, message: `the header lacks the column(s) ${missing.join(', ')}` }],
    };
  }
  const col = (record: string[], name: string) => {
    const i = names.indexOf(name);
    const cell = i < 0 ? undefined : record[i];
    return cell === undefined ? undefined : unguardCell(cell);
  };
  const problems = new Problems();
  const byId = new Map<
    string,
    { item: TranscriptInteraction; row: number; rows: { index: number; message: TranscriptMessage }[] }
  >();
  for (const record of records.slice(1)) {
    const row = record.line;
    if (record.error) {
      problems.add(row, `not valid CSV: ${record.error}`);
      continue;
    }
    if (record.fields.length !== names.length) {
      problems.add(row, `expected ${names.length} fields, found ${record.fields.length}`);
      continue;
    }
    const f = record.fields;
    const id = (col(f, 'interaction_id') ?? '').trim();
    if (id === '') {
      problems.add(row, 'interaction_id is empty', 'interaction_id');
      continue;
    }
    const message: TranscriptMessage = {
      role: (col(f, 'role') ?? '').trim().toLowerCase() as TranscriptMessage['role'],
      content: col(f, 'content') ?? '',
    };
    const problem = messageProblem(message);
    if (problem) {
      problems.add(row, problem, problem.startsWith('role') ? 'role' : 'content');
      continue;
    }
    const rawIndex = (col(f, 'message_index') ?? '').trim();
    const index = rawIndex === '' ? Number.NaN : Number(rawIndex);
    if (rawIndex !== '' && !(Number.isInteger(index) && index >= 0)) {
      problems.add(row, 'message_index must be a whole number from 0', 'message_index');
      continue;
    }
    const baselineText = (col(f, 'baseline') ?? '').trim().toLowerCase();
    if (!['', 'true', 'false', '1', '0', 'yes', 'no'].includes(baselineText)) {
      problems.add(row, 'baseline must be true or false', 'baseline');
      continue;
    }
    readModelFields(message, (name) => col(f, name)?.trim() ?? '');
    let entry = byId.get(id);
    if (!entry) {
      const participant = (col(f, 'participant') ?? '').trim();
      entry = {
        item: { id, participant: participant === '' ? null : participant, baseline: false, messages: [] },
        row,
        rows: [],
      };
      byId.set(id, entry);
    }
    if (['true', '1', 'yes'].includes(baselineText)) entry.item.baseline = true;
    const at = Number.isNaN(index) ? entry.rows.length : index;
    if (entry.rows.some((r) => r.index === at)) {
      problems.add(row, `message_index ${at} repeats within interaction ${id}`, 'message_index');
      continue;
    }
    entry.rows.push({ index: at, message });
  }
  const items = [...byId.values()].map((entry) => {
    entry.item.messages = entry.rows.sort((a, b) => a.index - b.index).map((r) => r.message);
    checkInteraction(entry.item, entry.row, problems);
    return { item: entry.item, row: entry.row };
  });
  if (problems.list.length === 0) checkFile(items, problems);
  if (problems.list.length > 0) return { ok: false, problems: problems.list };
  return { ok: true, interactions: items.map((i) => i.item) };
}

function readModelFields(message: TranscriptMessage, get: (name: string) => string): void {
  const status = get('status');
  if (status === 'complete' || status === 'incomplete' || status === 'failed') message.status = status;
  const provider = get('provider');
  if (provider === 'openai' || provider === 'local' || provider === 'replay') message.provider = provider;
  const text = (name: string, key: 'modelId' | 'model' | 'systemPromptSha256' | 'createdAt') => {
    const v = get(name);
    if (v !== '') message[key] = v;
  };
  text('model_id', 'modelId');
  text('model', 'model');
  text('system_prompt_sha256', 'systemPromptSha256');
  text('created_at', 'createdAt');
  const num = (name: string) => {
    const v = get(name);
    const n = v === '' ? Number.NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const ttft = num('ttft_ms');
  if (ttft !== undefined) message.ttftMs = ttft;
  const latency = num('latency_ms');
  if (latency !== undefined) message.latencyMs = latency;
  const prompt = num('prompt_tokens');
  const completion = num('completion_tokens');
  if (prompt !== undefined || completion !== undefined) {
    message.usage = {
      ...(prompt !== undefined ? { promptTokens: prompt } : {}),
      ...(completion !== undefined ? { completionTokens: completion } : {}),
    };
  }
  const finish = get('finish_reason');
  if (finish !== '') message.finishReason = finish;
}
