import type { CalmaImport } from './calma.js';

/** The same bounds the JSON routes put on interactions, labels and attributes. */
export const calmaImportLimits = {
  interactions: 5_000,
  messageChars: 50_000,
  labels: 100_000,
  labelChars: 500,
  annotationChars: 5_000,
  attributes: 10_000,
  attributeNameChars: 500,
  definitionChars: 5_000,
} as const;

/**
 * The first thing in an import that Calma would not accept through its own routes (an empty or
 * over-long message, code, note or attribute; too many of anything), or `null` when all is well.
 */
export function importProblem(data: CalmaImport, limits = calmaImportLimits): string | null {
  if (data.interactions.length > limits.interactions) return `More than ${limits.interactions} sources`;
  if (data.labels.length > limits.labels) return `More than ${limits.labels} codings`;
  if (data.attributes.length > limits.attributes) return `More than ${limits.attributes} parent codes`;
  for (const [i, interaction] of data.interactions.entries()) {
    if (interaction.messages.length === 0) return `Source ${i + 1} has no text`;
    for (const [j, m] of interaction.messages.entries()) {
      if (m.content.length === 0) return `Source ${i + 1}, message ${j + 1} is empty`;
      if (m.content.length > limits.messageChars) {
        return `Source ${i + 1}, message ${j + 1} is longer than ${limits.messageChars} characters`;
      }
    }
  }
  for (const label of data.labels) {
    if (label.text.trim() === '') return 'A code has an empty name';
    if (label.text.length > limits.labelChars)
      return `Code "${label.text.slice(0, 40)}…" is longer than ${limits.labelChars} characters`;
    if (label.annotation !== null && label.annotation.length > limits.annotationChars) {
      return `A note on code "${label.text.slice(0, 40)}" is longer than ${limits.annotationChars} characters`;
    }
  }
  for (const attribute of data.attributes) {
    if (attribute.name.trim() === '') return 'A parent code has an empty name';
    if (attribute.name.length > limits.attributeNameChars)
      return `Parent code "${attribute.name.slice(0, 40)}…" has too long a name`;
    if (attribute.definition.length > limits.definitionChars) {
      return `The description of "${attribute.name.slice(0, 40)}" is longer than ${limits.definitionChars} characters`;
    }
  }
  return null;
}
