import type { Me, ParticipantList } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { ArtifactsNav } from './artifacts-page';
import './artifacts.css';

/** `/groups/:groupId/artifacts`: everyone's artifacts page, the reader's own first. */
export function ArtifactsListPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('artifacts');
  const token = useToken();
  const base = `/groups/${encodeURIComponent(groupId)}`;
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);
  const people = useApiQuery<ParticipantList>(token ? `/api${base}/participants` : null, token);
  const myId = me.status === 'success' ? me.data.participantId : null;
  const list =
    people.status === 'success'
      ? [...people.data.participants].sort((a, b) => Number(b.id === myId) - Number(a.id === myId))
      : [];
  return (
    <section className="card artifacts-page" aria-labelledby="artifacts-list-title">
      <ArtifactsNav groupId={groupId} list={false} />
      <h1 id="artifacts-list-title">{t('list.title')}</h1>
      <p className="hint">{t('list.hint')}</p>
      {!token && <p className="hint">{t('signedOut')}</p>}
      {people.status === 'error' && (
        <p className="error" role="alert">
          {errorText(people.error)}
        </p>
      )}
      {people.status === 'loading' && <p className="status">{t('loading')}</p>}
      {people.status === 'success' && list.length === 0 && <p className="hint">{t('list.none')}</p>}
      <ul className="artifact-people">
        {list.map((p) => (
          <li key={p.id}>
            <Link href={`${base}/artifacts/${encodeURIComponent(p.id)}`} dir="auto">
              {p.id === myId ? t('list.me', { name: p.displayName }) : p.displayName}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The link segment 0 and the summary show: the reader's own page for a participant, else the list. */
export function ArtifactsLink({ groupId, participantId }: { groupId: string; participantId?: string | null }) {
  const { t } = useTranslation('artifacts');
  const base = `/groups/${encodeURIComponent(groupId)}/artifacts`;
  return participantId ? (
    <Link href={`${base}/${encodeURIComponent(participantId)}`}>{t('link.mine')}</Link>
  ) : (
    <Link href={base}>{t('link.all')}</Link>
  );
}
