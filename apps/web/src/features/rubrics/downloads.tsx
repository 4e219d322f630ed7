import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { download } from '../../lib/download';
import { FeedbackLine, useFeedback } from '../../lib/feedback';
import { getToken } from '../../lib/token';

/** The alignment exports, with the file name each downloads as. */
export const alignmentExports = [
  { format: 'judge', extension: 'json' },
  { format: 'judge-md', extension: 'md' },
  { format: 'steerlm', extension: 'jsonl' },
  { format: 'preferences', extension: 'jsonl' },
  { format: 'constitution', extension: 'md' },
] as const;

/** Download buttons for every alignment export of a session, each saying what it holds. */
export function AlignmentDownloads({ sessionId }: { sessionId: string }) {
  const { t } = useTranslation('rubrics');
  const { feedback, attempt } = useFeedback();
  return (
    <section className="card" aria-labelledby="rubric-downloads-title">
      <h2 id="rubric-downloads-title">{t('downloads.title')}</h2>
      <p className="hint">{t('downloads.intro')}</p>
      <ul className="rubric-downloads">
        {alignmentExports.map(({ format, extension }) => (
          <li key={format}>
            <ActionButton
              pendingLabel={t('downloads.pending')}
              data-testid={`download-${format}`}
              onClick={() =>
                attempt(
                  () =>
                    download(
                      `/api/sessions/${encodeURIComponent(sessionId)}/export?format=${format}`,
                      `calma-${format}-${sessionId}.${extension}`,
                      getToken() ?? '',
                    ),
                  t('downloads.done', { name: t(`downloads.${format}.name`) }),
                )
              }
            >
              {t(`downloads.${format}.name`)}
            </ActionButton>
            <span className="hint">{t(`downloads.${format}.what`)}</span>
          </li>
        ))}
      </ul>
      <FeedbackLine feedback={feedback} />
    </section>
  );
}
