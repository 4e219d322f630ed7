import type { RubricVersions } from '@calma/protocol';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';

/** An axis's rubric versions (who saved each, when), loaded when opened. */
export function RubricHistory({ path }: { path: string }) {
  const { t, i18n } = useTranslation('rubrics');
  const token = useToken();
  const [open, setOpen] = useState(false);
  const history = useApiQuery<RubricVersions>(open && token ? path : null, token);
  const when = new Intl.DateTimeFormat(i18n.resolvedLanguage, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <details className="rubric-history" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{t('history.title')}</summary>
      {history.status === 'loading' && <p className="status">{t('loading')}</p>}
      {history.status === 'error' && <p className="error">{history.error.message}</p>}
      {history.status === 'success' && (
        <ol className="rubric-versions">
          {[...history.data.versions].reverse().map((v) => (
            <li key={v.version}>
              {t('history.entry', {
                version: v.version,
                who: v.editedBy === 'built' ? t('history.built') : v.editedBy,
                when: when.format(new Date(v.createdAt)),
              })}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
