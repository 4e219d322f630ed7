import {
  constitutionMarkdown,
  datasetJsonLines,
  type JudgeRubric,
  preferencePairs,
  rubricsToMarkdown,
  steerLmRows,
} from '@calma/core';
import { type Database, latestFinishedJudgeScores } from '@calma/db';
import type { AxisTurnsOptions } from './axis-turns.js';
import { axisTurns } from './axis-turns.js';
import { latestRubrics } from './rubrics.js';

/** The export formats for alignment pipelines (the axes' own formats are json, csv and md). */
export const alignmentFormats = ['judge', 'judge-md', 'steerlm', 'preferences', 'constitution'] as const;
/** One of {@link alignmentFormats}. */
export type AlignmentFormat = (typeof alignmentFormats)[number];

/** Whether `format` is an alignment format. */
export const isAlignmentFormat = (format: string): format is AlignmentFormat =>
  (alignmentFormats as readonly string[]).includes(format);

/** A file to send: its content type, file name extension and body. */
export interface ExportFile {
  readonly type: string;
  readonly extension: string;
  readonly body: string | unknown[];
}

const jsonLines = 'application/jsonl; charset=utf-8';
const markdown = 'text/markdown; charset=utf-8';

/**
 * An alignment export of a session. Every quoted turn comes from the interactions as they may
 * leave the group (unshared chats left out, shared ones masked), as the axes export does; judge
 * scores are those of the latest finished run, only for turns that may be quoted.
 */
export async function alignmentExport(
  db: Database,
  sessionId: string,
  format: AlignmentFormat,
  title: string,
  options: AxisTurnsOptions = {},
): Promise<ExportFile> {
  if (format === 'judge' || format === 'judge-md') {
    const rubrics = await latestRubrics(db, sessionId, options);
    if (format === 'judge-md')
      return {
        type: markdown,
        extension: 'md',
        body: rubricsToMarkdown(
          rubrics.map((r) => r.rubric as JudgeRubric),
          `Judge rubrics — ${title}`,
        ),
      };
    return {
      type: 'application/json; charset=utf-8',
      extension: 'json',
      body: rubrics.map((r) => ({
        axisId: r.axisId,
        name: r.rubric.name,
        definition: r.rubric.definition,
        prompt: r.rubric.prompt,
        rubric: r.rubric.levels,
        examples: r.rubric.examples,
        template: r.template,
        version: r.version,
        editedBy: r.editedBy,
        editedAt: r.createdAt,
      })),
    };
  }
  const turns = await axisTurns(db, sessionId, options);
  const axes = turns?.axes ?? [];
  if (format === 'constitution')
    return { type: markdown, extension: 'md', body: constitutionMarkdown(axes, `Constitution — ${title}`) };
  const judged = await latestFinishedJudgeScores(db, sessionId);
  // A score of a turn that may not leave the group is dropped with the turn.
  const judge = judged && {
    runId: judged.runId,
    scores: judged.scores.filter((s) => turns?.turns.has(`${s.interactionId}#${s.messageIndex}`)),
    turns: turns?.turns ?? new Map(),
  };
  if (format === 'steerlm')
    return {
      type: jsonLines,
      extension: 'jsonl',
      body: datasetJsonLines(steerLmRows(axes, turns?.codedTurns ?? [], judge)),
    };
  return {
    type: jsonLines,
    extension: 'jsonl',
    body: datasetJsonLines(preferencePairs(axes, judge)),
  };
}
