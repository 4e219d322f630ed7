import type { AbRoundList } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { Link } from '../../lib/router';
import type { QueryState } from '../../lib/use-api-query';

/** The path of a group's A/B page. */
export const abPath = (groupId: string) => `/groups/${encodeURIComponent(groupId)}/ab`;

/** The home page's way to the group's A/B rounds, for staff: always there. */
export function AbStaffLink({ groupId }: { groupId: string }) {
  const { t } = useTranslation('ab');
  return (
    <p>
      <Link href={abPath(groupId)}>{t('link.staff')}</Link>
    </p>
  );
}

/**
 * The home page's way to the A/B round for a participant: only while a round is open, or to see
 * the results of the last closed one. The page loads `rounds` (and shows once it has them).
 */
export function AbNotice({ groupId, rounds }: { groupId: string; rounds: QueryState<AbRoundList> }) {
  const { t } = useTranslation('ab');
  if (rounds.status !== 'success') return null;
  const [latest] = rounds.data.rounds;
  if (!latest) return null;
  return (
    <p className={latest.status === 'open' ? 'notice ab-home-notice' : undefined}>
      <Link href={abPath(groupId)}>{latest.status === 'open' ? t('link.open') : t('link.results')}</Link>
    </p>
  );
}
