import { useTranslation } from 'react-i18next';
import { Link } from '../../lib/router';

/** The link on the moderator's home page. */
export function TranscriptsLink({ groupId }: { groupId: string }) {
  const { t } = useTranslation('sharing');
  return (
    <p>
      <Link href={`/groups/${encodeURIComponent(groupId)}/transcripts`}>{t('page.link')}</Link>
    </p>
  );
}
