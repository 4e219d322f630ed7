import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FinalAttributesResponse } from '../../lib/contract';
import { useClockTime } from './submitted-note';
import './segments.css';

/**
 * Segment 4 for participants: the final attributes as the moderator drafts them (name, definition,
 * example interactions, the group's top-3 and top-5), refetched each time the moderator saves
 * (`final-attributes:changed`), so nobody has to reload to follow the discussion.
 */
export function FinalAttributesLive({
  finals,
  interactions,
}: {
  finals: FinalAttributesResponse | null;
  /** Interaction id → its number on the list and the start of its response. */
  interactions: Record<string, { n: number; excerpt: string }>;
}) {
  const { t } = useTranslation('segments');
  const time = useClockTime();
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);
  const key = finals ? JSON.stringify(finals) : null;
  const [firstKey] = useState(key);
  // The first draft seen is not news; each later one is, and says when it arrived.
  useEffect(() => {
    if (key !== null && key !== firstKey) setUpdatedAt(new Date().toISOString());
  }, [key, firstKey]);

  const attributes = finals?.attributes ?? [];
  const top3 = new Set(finals?.groupTop3 ?? []);
  const top5 = new Set(finals?.groupTop5 ?? []);
  return (
    <section className="card finals-live" aria-labelledby="finals-live-title" data-testid="finals-live">
      <h2 id="finals-live-title">{t('live.title')}</h2>
      <p>{t('live.intro')}</p>
      <p className="hint" role="status">
        {updatedAt ? t('live.updated', { time: time(updatedAt) }) : ''}
      </p>
      {finals !== null && attributes.length === 0 && <p className="hint">{t('live.empty')}</p>}
      <ol className="finals-live-list">
        {attributes.map((attribute) => (
          <li key={attribute.id} data-testid="live-final">
            <h3 className="final-name" dir="auto">
              {attribute.name}
            </h3>
            {(top3.has(attribute.id) || top5.has(attribute.id)) && (
              <p className="final-marks">
                {top3.has(attribute.id) && <span className="badge">{t('live.top3')}</span>}
                {top5.has(attribute.id) && <span className="badge">{t('live.top5')}</span>}
              </p>
            )}
            <p className="final-definition" dir="auto">
              {attribute.definition}
            </p>
            {attribute.exampleInteractionIds.length > 0 && (
              <details className="final-examples">
                <summary>
                  {t('live.examples')} ({attribute.exampleInteractionIds.length})
                </summary>
                <ul>
                  {attribute.exampleInteractionIds.map((id) => {
                    const known = interactions[id];
                    return (
                      <li key={id}>
                        <strong>{t('live.example', { n: known?.n ?? '?' })}</strong>{' '}
                        <span dir="auto">{known?.excerpt ?? ''}</span>
                      </li>
                    );
                  })}
                </ul>
              </details>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** In segments 2–4: what this participant submitted in segment 1 (to present it, or recall it). */
export function OwnSegment1Summary({ attributes }: { attributes: { name: string; definition: string }[] | null }) {
  const { t } = useTranslation('segments');
  return (
    <details className="card own-summary" data-testid="own-segment1">
      <summary>{t('mine.title')}</summary>
      {attributes && attributes.length > 0 ? (
        <ol>
          {attributes.map((a) => (
            <li key={a.name}>
              <strong dir="auto">{a.name}</strong>: <span dir="auto">{a.definition}</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="hint">{t('mine.nothing')}</p>
      )}
    </details>
  );
}
