import type { GroupOrientation, JourneyProgress, MyProgress } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { useToken } from '../../lib/token';
import { type QueryState, useApiQuery } from '../../lib/use-api-query';

/** The paths of the journey's pages for a group. */
export const journeyPaths = (groupId: string) => {
  const base = `/groups/${encodeURIComponent(groupId)}`;
  return {
    journey: `${base}/journey`,
    orientation: `${base}/orientation`,
    practice: `${base}/practice`,
    check: `${base}/check`,
    chat: `${base}/chat`,
    progress: `${base}/progress`,
  };
};

/** The API path of a group's resource. */
export const groupApi = (groupId: string, rest: string) => `/api/groups/${encodeURIComponent(groupId)}/${rest}`;

/**
 * The study's orientation for this group, in the reader's language when the study serves the
 * shipped default (it is written in English and Hindi); re-fetched when they switch language.
 */
export function useOrientation(groupId: string, token: string | null): QueryState<GroupOrientation> {
  const { i18n } = useTranslation();
  const lang = i18n.resolvedLanguage === 'hi' ? 'hi' : 'en';
  return useApiQuery<GroupOrientation>(token ? `${groupApi(groupId, 'orientation')}?lang=${lang}` : null, token);
}

/** This participant's progress; `version` re-fetches after they did something; none asked for unless `wanted`. */
export function useMyProgress(version = 0, wanted = true): QueryState<MyProgress> {
  const token = useToken();
  return useApiQuery<MyProgress>(token && wanted ? `/api/me/progress?v=${version}` : null, token);
}

/** One thing left to do, as a translation key and its values (`journey` namespace). */
export interface LeftItem {
  key: string;
  values?: Record<string, number | string>;
}

/**
 * What is left for a participant in their current stage, in order: the words for the journey
 * page and the moderator's progress panel alike.
 */
export function leftToDo(progress: JourneyProgress): LeftItem[] {
  const left: LeftItem[] = [];
  if (progress.waiting) return [{ key: 'left.waiting', values: { stage: progress.stage } }];
  switch (progress.stage) {
    case 'familiarize':
      if (progress.pages.read < progress.pages.total)
        left.push({ key: 'left.read', values: { read: progress.pages.read, count: progress.pages.total } });
      if (!progress.practice.done && progress.practice.items > 0) left.push({ key: 'left.practice' });
      if (progress.check.required && !progress.check.passed)
        left.push({
          key: progress.check.attempts === 0 ? 'left.check' : 'left.checkAgain',
          values: { passMark: progress.check.passMark, count: progress.check.questions },
        });
      break;
    case 'interact':
      left.push({ key: 'left.chat', values: { done: progress.turns.done, count: progress.turns.min } });
      break;
    case 'reflect':
      if (progress.labels === 0) left.push({ key: 'left.code' });
      left.push({ key: 'left.waitDiscuss' });
      break;
    case 'discuss':
      left.push({ key: 'left.discuss' });
      break;
  }
  return left;
}
