import { useTranslation } from 'react-i18next';
import { Link } from '../../lib/router';

/** The link staff follow from their home page and the transcripts page. */
export function AgreementLink({ groupId }: { groupId: string }) {
  const { t } = useTranslation('agreement');
  const href = `/groups/${encodeURIComponent(groupId)}/agreement`;
  return (
    <p>
      <Link href={href}>{t('link')}</Link>
    </p>
  );
}
