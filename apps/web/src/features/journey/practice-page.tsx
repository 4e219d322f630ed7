import type { PracticeResponse } from '@calma/protocol';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { SignInFirst } from '../home/remembered-sign-ins';
import { groupApi, journeyPaths, useOrientation } from './journey-data';
import './journey.css';
import { NotReady } from './not-ready';

/** One label per line; blank lines and repeats dropped. */
const labelsOf = (text: string) => [...new Set(text.split('\n').map((l) => l.trim()))].filter((l) => l !== '');

/**
 * The practice exercise: label the practice responses, then see the reference labels and how
 * close each of yours came to them by meaning. Practice may be repeated; nothing here is graded.
 */
export function PracticePage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('journey');
  const token = useToken();
  const orientation = useOrientation(groupId, token);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [result, setResult] = useState<PracticeResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const paths = journeyPaths(groupId);

  if (!token) return <SignInFirst refused={null} />;
  if (orientation.status !== 'success')
    return <NotReady state={orientation} titleId="practice-title" title={t('practice.title')} />;

  const items = orientation.data.practice;
  const missing = items.filter((item) => labelsOf(drafts[item.id] ?? '').length === 0).length;
  const submit = async () => {
    setError(null);
    try {
      const answers = items.map((item) => ({ itemId: item.id, labels: labelsOf(drafts[item.id] ?? '') }));
      setResult(
        await api<PracticeResponse>(groupApi(groupId, 'practice'), { method: 'POST', token, body: { answers } }),
      );
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section className="card journey" aria-labelledby="practice-title">
      <nav className="journey-nav" aria-label={t('nav.label')}>
        <Link href={paths.journey}>{t('nav.journey')}</Link>
      </nav>
      <h1 id="practice-title">{t('practice.title')}</h1>
      <p>{t('practice.intro', { count: items.length })}</p>
      {items.length === 0 && <p className="hint">{t('practice.none')}</p>}
      {items.map((item, i) => {
        const scored = result?.items.find((r) => r.itemId === item.id);
        const fieldId = `practice-labels-${i}`;
        return (
          <article key={item.id} className="journey-practice-item" aria-labelledby={`practice-item-${i}`}>
            <h2 id={`practice-item-${i}`}>{t('practice.item', { number: i + 1 })}</h2>
            {item.prompt && (
              <p className="journey-turn">
                <strong>{t('practice.user')}</strong> <span dir="auto">{item.prompt}</span>
              </p>
            )}
            <blockquote className="journey-response" dir="auto">
              {item.response}
            </blockquote>
            <div className="field">
              <label htmlFor={fieldId}>{t('practice.labels')}</label>
              <textarea
                id={fieldId}
                dir="auto"
                rows={3}
                value={drafts[item.id] ?? ''}
                aria-describedby={`${fieldId}-hint`}
                onChange={(event) => setDrafts((d) => ({ ...d, [item.id]: event.target.value }))}
              />
              <p className="hint" id={`${fieldId}-hint`}>
                {t('practice.labelsHint')}
              </p>
            </div>
            {scored && (
              <div className="journey-result" data-testid={`practice-result-${i}`}>
                <h3>{t('practice.reference')}</h3>
                <ul className="journey-chips">
                  {scored.referenceLabels.map((label) => (
                    <li key={label} dir="auto">
                      {label}
                    </li>
                  ))}
                </ul>
                <h3>{t('practice.yours')}</h3>
                <ul className="journey-closeness">
                  {scored.labels.map((l) => (
                    <li key={l.label}>
                      <bdi>{l.label}</bdi>
                      {' → '}
                      {l.nearest ? <bdi>{l.nearest}</bdi> : t('practice.nothingNear')}{' '}
                      <span className={`badge closeness-${l.closeness}`}>
                        {t(`closeness.${l.closeness}`, { percent: Math.round(l.similarity * 100) })}
                      </span>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </article>
        );
      })}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {items.length > 0 && (
        <div className="actions">
          <ActionButton
            onClick={submit}
            disabledReason={missing > 0 ? t('practice.missing', { count: missing }) : null}
            pendingLabel={t('practice.comparing')}
          >
            {result ? t('practice.again') : t('practice.submit')}
          </ActionButton>
        </div>
      )}
      {result && (
        <p className="notice" role="status">
          {t('practice.done')} <Link href={paths.check}>{t('practice.toCheck')}</Link>
        </p>
      )}
      <p className="hint">{t('practice.meaning')}</p>
    </section>
  );
}
