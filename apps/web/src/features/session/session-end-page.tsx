import { useTranslation } from 'react-i18next';
import type { FinalAttribute } from '../../lib/contract';
import { Link } from '../../lib/router';
import type { OwnSegment1 } from '../segments/segment1-form';
import type { OwnSegment5 } from '../segments/segment5-form';
import { useClockTime } from '../segments/submitted-note';
import '../segments/segments.css';

/** Ratings in the order of the final attributes (then any whose attribute is gone). */
function ratedInOrder(likert: Record<string, number>, finals: FinalAttribute[]): [string, number][] {
  const listed = finals
    .filter((f) => likert[f.id] !== undefined)
    .map((f): [string, number] => [f.id, likert[f.id] as number]);
  const rest = Object.entries(likert).filter(([id]) => !finals.some((f) => f.id === id));
  return [...listed, ...rest];
}

/**
 * What a participant sees once the moderator has ended the session (also after a reload): thanks,
 * what they submitted, and what happens next, instead of a board nobody can use any more.
 */
export function SessionEndPage({
  groupId,
  loaded,
  segment1,
  segment5,
  finals,
}: {
  groupId: string;
  /** Whether their submissions have been read (until then, a loading line). */
  loaded: boolean;
  segment1: OwnSegment1 | null;
  segment5: OwnSegment5 | null;
  finals: FinalAttribute[];
}) {
  const { t } = useTranslation('session');
  const { t: ts } = useTranslation('segments');
  const time = useClockTime();
  const names = new Map(finals.map((f) => [f.id, f.name]));
  return (
    <section className="card session-end" aria-labelledby="session-end-title" data-testid="session-end">
      <h2 id="session-end-title">{t('end.title')}</h2>
      <p>{t('end.ended')}</p>

      <h3>{t('end.yours')}</h3>
      {!loaded ? (
        <p className="status">{t('end.loading')}</p>
      ) : (
        <>
          <h4>{t('end.segment1')}</h4>
          {segment1 && segment1.attributes.length > 0 ? (
            <>
              <ol data-testid="end-segment1">
                {segment1.attributes.map((a) => (
                  <li key={a.name}>
                    <strong dir="auto">{a.name}</strong>: <span dir="auto">{a.definition}</span>
                  </li>
                ))}
              </ol>
              <p className="hint">{t('end.submittedAt', { time: time(segment1.submittedAt) })}</p>
            </>
          ) : (
            <p className="hint">{t('end.nothing')}</p>
          )}
          <h4>{t('end.segment5')}</h4>
          {segment5 ? (
            <>
              <ul data-testid="end-segment5">
                {ratedInOrder(segment5.likert, finals).map(([id, value]) => (
                  <li key={id}>
                    <strong dir="auto">{names.get(id) ?? id}</strong>: {ts(`s5.scale.${value}`)}
                  </li>
                ))}
              </ul>
              <p>{t('end.ranking')}</p>
              <ol data-testid="end-ranking">
                {segment5.ranking.map((id) => (
                  <li key={id} dir="auto">
                    {names.get(id) ?? id}
                  </li>
                ))}
              </ol>
              <p className="hint">{t('end.submittedAt', { time: time(segment5.submittedAt) })}</p>
            </>
          ) : (
            <p className="hint">{t('end.nothing')}</p>
          )}
        </>
      )}

      <h3>{t('end.nextTitle')}</h3>
      <ul>
        <li>{t('end.next1')}</li>
        <li>{t('end.next2')}</li>
        <li>{t('end.next3')}</li>
      </ul>
      <p className="end-links">
        <Link href={`/groups/${encodeURIComponent(groupId)}/summary`}>{t('end.summary')}</Link>
        {' · '}
        <Link href="/">{t('end.home')}</Link>
      </p>
    </section>
  );
}
