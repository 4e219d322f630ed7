import {
  type TranscriptInteraction,
  type TranscriptMessage,
  type TranscriptProblem,
  transcriptIdPattern,
  transcriptLimits,
} from './model.js';

/** Collects problems up to the limit. */
export class Problems {
  readonly list: TranscriptProblem[] = [];
  add(row: number, message: string, field?: string): void {
    if (this.list.length < transcriptLimits.problems)
      this.list.push(field ? { row, field, message } : { row, message });
  }
  get full(): boolean {
    return this.list.length >= transcriptLimits.problems;
  }
}

/** Checks an interaction's whole shape (after rows were gathered); `row` says where it starts. */
export function checkInteraction(item: TranscriptInteraction, row: number, problems: Problems): void {
  if (item.id !== undefined && !transcriptIdPattern.test(item.id)) {
    problems.add(row, 'id must be 1–128 letters, digits or . _ : -', 'id');
  }
  if (item.messages.length === 0) problems.add(row, 'an interaction needs at least one message', 'messages');
  if (item.messages.length > transcriptLimits.messagesPerInteraction) {
    problems.add(row, `at most ${transcriptLimits.messagesPerInteraction} messages per interaction`, 'messages');
  }
}

/** Checks one message; returns a problem message or null. */
export function messageProblem(message: Pick<TranscriptMessage, 'role' | 'content'>): string | null {
  if (message.role !== 'user' && message.role !== 'assistant') return 'role must be "user" or "assistant"';
  if (typeof message.content !== 'string' || message.content.trim() === '') return 'content is empty';
  if (message.content.length > transcriptLimits.contentChars) {
    return `content is longer than ${transcriptLimits.contentChars} characters`;
  }
  return null;
}

/** Checks the whole file: how many interactions, ids not repeated. */
export function checkFile(items: { item: TranscriptInteraction; row: number }[], problems: Problems): void {
  if (items.length === 0) problems.add(1, 'the file holds no interactions');
  if (items.length > transcriptLimits.interactions) {
    problems.add(1, `at most ${transcriptLimits.interactions} interactions per import`);
  }
  const seen = new Map<string, number>();
  for (const { item, row } of items) {
    if (item.id === undefined) continue;
    const first = seen.get(item.id);
    if (first !== undefined) problems.add(row, `id ${item.id} repeats the interaction at row ${first}`, 'id');
    else seen.set(item.id, row);
  }
}
