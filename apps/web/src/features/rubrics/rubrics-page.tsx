import type { SessionRubrics } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { SignInFirst } from '../home/remembered-sign-ins';
import { AlignmentDownloads } from './downloads';
import { RubricEditor } from './rubric-editor';
import './rubrics.css';

/**
 * The analyst's judge rubrics for a session: one editor per axis (prompt, five levels, examples,
 * history) and the downloads for alignment pipelines.
 */
export function RubricsPage({ sessionId }: { sessionId: string }) {
  const { t } = useTranslation('rubrics');
  const token = useToken();
  const rubrics = useApiQuery<SessionRubrics>(
    token ? `/api/sessions/${encodeURIComponent(sessionId)}/rubrics` : null,
    token,
  );
  if (!token) return <SignInFirst refused={null} />;
  const back = `/sessions/${encodeURIComponent(sessionId)}/analysis`;
  return (
    <div className="rubrics-page">
      <header>
        <h1>{t('title')}</h1>
        <p className="hint">{t('intro')}</p>
        <p>
          <Link href={back}>{t('back')}</Link>
        </p>
      </header>
      {rubrics.status === 'loading' && <p className="status">{t('loading')}</p>}
      {rubrics.status === 'error' && (
        <p className="error" role="alert">
          {rubrics.error.status === 403 ? t('forbidden') : rubrics.error.message}
        </p>
      )}
      {rubrics.status === 'success' && rubrics.data.rubrics.length === 0 && <p className="hint">{t('none')}</p>}
      {rubrics.status === 'success' &&
        rubrics.data.rubrics.map((version) => (
          <RubricEditor key={version.axisId} sessionId={sessionId} initial={version} />
        ))}
      {/* Under the rubrics once they have come: shown while they loaded, the downloads moved. */}
      {rubrics.status === 'success' && <AlignmentDownloads sessionId={sessionId} />}
    </div>
  );
}
