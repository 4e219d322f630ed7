import type { AbRoundList } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { Link } from '../../lib/router';
import { useApiQuery } from '../../lib/use-api-query';
import { abPath } from './ab-page';

/**
 * The home page's way to the A/B round: for participants only while a round is open (or to see
 * the results of the last closed one); for staff always.
 */
export function AbHomeLink({ groupId, token, staff }: { groupId: string; token: string | null; staff: boolean }) {
  const { t } = useTranslation('ab');
  const rounds = useApiQuery<AbRoundList>(token ? `/api/groups/${encodeURIComponent(groupId)}/ab-rounds` : null, token);
  if (staff) {
    return (
      <p>
        <Link href={abPath(groupId)}>{t('link.staff')}</Link>
      </p>
    );
  }
  if (rounds.status !== 'success') return null;
  const [latest] = rounds.data.rounds;
  if (!latest) return null;
  return (
    <p className={latest.status === 'open' ? 'notice ab-home-notice' : undefined}>
      <Link href={abPath(groupId)}>{latest.status === 'open' ? t('link.open') : t('link.results')}</Link>
    </p>
  );
}
