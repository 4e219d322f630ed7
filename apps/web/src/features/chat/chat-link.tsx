import { useTranslation } from 'react-i18next';
import { Link } from '../../lib/router';

/** A participant's way from the start page to their conversations with the model. */
export function ChatLink({ groupId }: { groupId: string }) {
  const { t } = useTranslation('chat');
  return (
    <p>
      <Link href={`/groups/${encodeURIComponent(groupId)}/chat`}>{t('homeLink')}</Link>
    </p>
  );
}
