import type { MyProgress } from '@calma/protocol';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { SignInFirst } from '../home/remembered-sign-ins';
import { groupApi, journeyPaths, useOrientation } from './journey-data';
import { OrientationMarkdown } from './markdown';
import './journey.css';
import { NotReady } from './not-ready';

/**
 * The orientation, one page at a time: reading a page to its end and going on records it as
 * read (a journey event), so the journey knows what is left.
 */
export function OrientationPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('journey');
  const token = useToken();
  const orientation = useOrientation(groupId, token);
  const [index, setIndex] = useState(0);
  const [read, setRead] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const paths = journeyPaths(groupId);

  if (!token) return <SignInFirst refused={null} />;
  if (orientation.status !== 'success')
    return <NotReady state={orientation} titleId="orientation-title" title={t('orientation.title')} />;

  const { pages } = orientation.data;
  const page = pages[index];
  const last = index === pages.length - 1;
  const markRead = async () => {
    setError(null);
    try {
      await api<MyProgress>(groupApi(groupId, 'orientation/read'), { method: 'POST', token, body: { page: index } });
      setRead((r) => new Set(r).add(index));
      if (!last) setIndex(index + 1);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section className="card journey" aria-labelledby="orientation-title">
      <nav className="journey-nav" aria-label={t('nav.label')}>
        <Link href={paths.journey}>{t('nav.journey')}</Link>
      </nav>
      <h1 id="orientation-title">{t('orientation.title')}</h1>
      <ol className="journey-page-list" aria-label={t('orientation.pages')}>
        {pages.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a page is its index (what is recorded as read), never reordered
          <li key={`${i}-${p.title}`}>
            <button
              type="button"
              className="journey-page-link"
              aria-current={i === index ? 'page' : undefined}
              onClick={() => setIndex(i)}
            >
              <span dir="auto">{p.title}</span>
              {read.has(i) && <span className="visually-hidden"> {t('status.stepDone')}</span>}
              {read.has(i) && <span aria-hidden="true"> ✓</span>}
            </button>
          </li>
        ))}
      </ol>
      {page && (
        <article className="journey-article" aria-labelledby="orientation-page-title">
          <p className="hint">{t('orientation.pageOf', { number: index + 1, count: pages.length })}</p>
          <h2 id="orientation-page-title" dir="auto">
            {page.title}
          </h2>
          <OrientationMarkdown text={page.markdown} />
        </article>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        {index > 0 && (
          <button type="button" className="secondary" onClick={() => setIndex(index - 1)}>
            {t('orientation.previous')}
          </button>
        )}
        <ActionButton onClick={markRead}>{last ? t('orientation.finish') : t('orientation.next')}</ActionButton>
      </div>
      {last && read.has(index) && (
        <p className="notice" role="status">
          {t('orientation.done')} <Link href={paths.practice}>{t('orientation.toPractice')}</Link>
        </p>
      )}
    </section>
  );
}
