import { type AbRoundRow, abRoundCounts, baselineCopyId, findAbRound, findStudy } from '@calma/db';
import { idParams } from '@calma/protocol';
import { notFound } from '../../errors.js';
import { defaultAbProviders } from './answers.js';
import type { AbRouteOptions } from './index.js';
import { roundView } from './view.js';

/** The OpenAPI tag of every A/B route, so the document groups them as one resource. */
export const tags = ['ab'];

/** The path of one round, which all but the group-wide A/B routes take. */
export const roundParams = idParams('groupId', 'roundId');

/** What the A/B route modules share, built once per registration from the plugin's options. */
export type AbContext = ReturnType<typeof abContext>;

/**
 * The options resolved (the default providers chosen once) and the look-ups every A/B route module
 * makes: a study or round that 404s in the contract's words, and a round as staff see it.
 */
export function abContext(options: AbRouteOptions) {
  const { db, events, limits } = options;
  const providers = options.providers ?? defaultAbProviders(db, options.local);

  const studyOf = async (studyId: string) => {
    const study = await findStudy(db, studyId);
    if (!study) throw notFound('Study');
    return study;
  };
  const roundOf = async (groupId: string, roundId: string) => {
    const round = await findAbRound(db, groupId, roundId);
    if (!round) throw notFound('A/B round');
    return round;
  };
  const staffView = async (studyId: string, rows: AbRoundRow[]) => {
    const [study, counts] = await Promise.all([
      studyOf(studyId),
      abRoundCounts(
        db,
        rows.map((r) => r.id),
      ),
    ]);
    return rows.map((row) =>
      roundView(
        row,
        {
          staff: true,
          models: study.models,
          counts: counts.get(row.id) ?? { items: 0, voted: 0, participants: 0 },
        },
        baselinePrompts(row.groupId, study.baseline).length,
      ),
    );
  };
  const staffRound = async (studyId: string, row: AbRoundRow) => {
    const [view] = await staffView(studyId, [row]);
    if (!view?.models || !view.counts) throw new Error('a staff view has models and counts');
    return { ...view, models: view.models, counts: view.counts };
  };

  return { db, events, limits, providers, studyOf, roundOf, staffView, staffRound };
}

/** The study's baseline prompts: each item's first user turn. */
export function baselinePrompts(
  groupId: string,
  baseline: { id: string; messages: { role: string; content: string }[] }[],
) {
  return baseline.flatMap((item) => {
    const prompt = item.messages.find((m) => m.role === 'user')?.content.trim();
    // Named by the group's copy of the item, the interaction its labels and codes are on.
    return prompt ? [{ id: baselineCopyId(groupId, item.id), prompt }] : [];
  });
}
