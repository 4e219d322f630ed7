import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { ApiError } from '../../lib/api';
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

type Format = (typeof alignmentExports)[number]['format'];

async function download(sessionId: string, format: Format, extension: string): Promise<void> {
  // A plain link cannot carry the bearer token: fetch, then hand the browser the file.
  const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/export?format=${format}`, {
    headers: { authorization: `Bearer ${getToken() ?? ''}` },
  });
  // i18n-ignore: shown through errorText (lib/errors.ts), which translates by code
  if (!response.ok) throw new ApiError(response.status, 'EXPORT_FAILED', 'The export failed.');
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = `calma-${format}-${sessionId}.${extension}`;
  link.click();
  URL.revokeObjectURL(url);
}

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
                  () => download(sessionId, format, extension),
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
