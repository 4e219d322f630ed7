import { useTranslation } from 'react-i18next';
import { Link } from '../../lib/router';

/** ` · ` and a link to the study's cross-group comparison. */
export function ComparisonLink({ studyId }: { studyId: string }) {
  const { t } = useTranslation('comparison');
  return (
    <>
      {' · '}
      <Link href={`/studies/${encodeURIComponent(studyId)}/comparison`}>{t('linkFromDashboard')}</Link>
    </>
  );
}
