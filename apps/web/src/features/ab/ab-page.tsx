import type { Me } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { ParticipantRound } from './participant-round';
import { StaffRounds } from './staff-rounds';
import './ab.css';

/**
 * `/groups/:groupId/ab`: the community A/B round. Participants compare two unnamed answers and
 * choose per axis; the moderator opens and closes rounds; staff read the results and exports.
 */
export function AbPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('ab');
  const token = useToken();
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);
  let body: React.ReactNode;
  if (!token) body = <p className="hint">{t('signedOut')}</p>;
  else if (me.status === 'error') {
    body = (
      <p className="error" role="alert">
        {errorText(me.error)}
      </p>
    );
  } else if (me.status !== 'success') body = <p className="status">{t('loading')}</p>;
  else if (me.data.role === 'participant') body = <ParticipantRound groupId={groupId} token={token} />;
  else body = <StaffRounds groupId={groupId} token={token} canModerate={me.data.role !== 'analyst'} />;
  return (
    <section className="card ab-page" aria-labelledby="ab-title">
      <nav className="ab-nav" aria-label={t('nav.label')}>
        <Link href="/">{t('nav.home')}</Link>
      </nav>
      <h1 id="ab-title">{t('title')}</h1>
      {body}
    </section>
  );
}
