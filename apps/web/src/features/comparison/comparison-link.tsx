import type { Group } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';

/** ` · ` and a link to the study's cross-group comparison, for a page that knows only its group. */
export function ComparisonLink({ groupId }: { groupId: string }) {
  const { t } = useTranslation('comparison');
  const token = useToken();
  const group = useApiQuery<Group>(token ? `/api/groups/${encodeURIComponent(groupId)}` : null, token);
  if (group.status !== 'success') return null;
  return (
    <>
      {' · '}
      <Link href={`/studies/${encodeURIComponent(group.data.studyId)}/comparison`}>{t('linkFromDashboard')}</Link>
    </>
  );
}
