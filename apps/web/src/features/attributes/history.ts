import type { AttributeSnapshot } from '@calma/protocol';

/** One thing a version changed, said by the page in words ("added code 'warm' (for)"). */
export type AttributeChange =
  | { type: 'created' }
  | { type: 'renamed'; from: string; to: string }
  | { type: 'definitionChanged' }
  | { type: 'codeAdded'; text: string | null; sign: 1 | -1 }
  | { type: 'codeRemoved'; text: string | null; sign: 1 | -1 }
  | { type: 'codeSignChanged'; text: string | null; sign: 1 | -1 }
  | { type: 'exampleAdded'; polarity: 'positive' | 'negative' }
  | { type: 'exampleRemoved'; polarity: 'positive' | 'negative' }
  | { type: 'examplePolarityChanged'; polarity: 'positive' | 'negative' }
  | { type: 'shared' }
  | { type: 'withheld' }
  | { type: 'unchanged' };

/**
 * Codes by what a reader sees: a code on several turns is several labels with one text, so
 * labels are folded by their text (a label no longer there keeps its id, shown as "a removed code").
 */
function codesByText(snapshot: AttributeSnapshot, textOf: (labelId: string) => string | null) {
  const codes = new Map<string, { text: string | null; sign: 1 | -1 }>();
  for (const code of snapshot.codes) {
    const text = textOf(code.labelId);
    const key = text === null ? `#${code.labelId}` : text.trim().toLowerCase();
    if (!codes.has(key)) codes.set(key, { text, sign: code.sign });
  }
  return codes;
}

const exampleKey = (e: { interactionId: string; messageIndex: number }) => `${e.interactionId}#${e.messageIndex}`;

/**
 * What changed from one version's snapshot to the next (`previous` null: the first version).
 * Codes are compared by text, examples by turn, so a sign or a polarity flipped reads as one change.
 */
export function describeChanges(
  previous: AttributeSnapshot | null,
  next: AttributeSnapshot,
  textOf: (labelId: string) => string | null,
): AttributeChange[] {
  if (previous === null) return [{ type: 'created' }];
  const changes: AttributeChange[] = [];
  if (previous.name !== next.name) changes.push({ type: 'renamed', from: previous.name, to: next.name });
  if (previous.definition !== next.definition) changes.push({ type: 'definitionChanged' });
  const before = codesByText(previous, textOf);
  const after = codesByText(next, textOf);
  for (const [key, code] of after) {
    const old = before.get(key);
    if (!old) changes.push({ type: 'codeAdded', ...code });
    else if (old.sign !== code.sign) changes.push({ type: 'codeSignChanged', ...code });
  }
  for (const [key, code] of before) if (!after.has(key)) changes.push({ type: 'codeRemoved', ...code });
  const oldExamples = new Map(previous.examples.map((e) => [exampleKey(e), e.polarity]));
  const newExamples = new Map(next.examples.map((e) => [exampleKey(e), e.polarity]));
  for (const [key, polarity] of newExamples) {
    const old = oldExamples.get(key);
    if (!old) changes.push({ type: 'exampleAdded', polarity });
    else if (old !== polarity) changes.push({ type: 'examplePolarityChanged', polarity });
  }
  for (const [key, polarity] of oldExamples)
    if (!newExamples.has(key)) changes.push({ type: 'exampleRemoved', polarity });
  if (previous.shared !== next.shared) changes.push({ type: next.shared ? 'shared' : 'withheld' });
  return changes.length > 0 ? changes : [{ type: 'unchanged' }];
}
