import type { Attribute, AttributeVersionList } from '@calma/protocol';
import { Trans, useTranslation } from 'react-i18next';
import { errorText } from '../../lib/errors';
import { useApiQuery } from '../../lib/use-api-query';
import { type AttributeChange, describeChanges } from './history';

/** One change in words; typed texts (names, codes) isolated with `dir="auto"`. */
function ChangeText({ change }: { change: AttributeChange }) {
  const { t } = useTranslation('attributes');
  const typed = { typed: <bdi dir="auto" /> };
  switch (change.type) {
    case 'renamed':
      return <Trans t={t} i18nKey="history.renamed" values={change} components={typed} />;
    case 'codeAdded':
    case 'codeRemoved':
    case 'codeSignChanged': {
      const sign = change.sign === 1 ? 'for' : 'against';
      if (change.text === null) return <>{t(`history.${change.type}Gone_${sign}`)}</>;
      return (
        <Trans t={t} i18nKey={`history.${change.type}_${sign}`} values={{ text: change.text }} components={typed} />
      );
    }
    case 'exampleAdded':
    case 'exampleRemoved':
    case 'examplePolarityChanged':
      return <>{t(`history.${change.type}_${change.polarity}`)}</>;
    default:
      return <>{t(`history.${change.type}`)}</>;
  }
}

/**
 * Every version of an attribute, newest first: who made it, when, and what it changed from the
 * one before, in words.
 */
export function VersionHistory({
  attribute,
  token,
  textOf,
}: {
  attribute: Attribute;
  token: string;
  textOf: (labelId: string) => string | null;
}) {
  const { t, i18n } = useTranslation('attributes');
  const versions = useApiQuery<AttributeVersionList>(
    `/api/attributes/${encodeURIComponent(attribute.id)}/versions?v=${attribute.version}`,
    token,
  );
  const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
  const who = (changedBy: string) =>
    changedBy === attribute.participantId
      ? t('history.byAuthor')
      : changedBy === 'moderator' || changedBy === 'admin'
        ? t(`history.by_${changedBy}`)
        : t('history.bySomeone');

  return (
    <section className="version-history" aria-labelledby="version-history-title">
      <h3 id="version-history-title">{t('history.title')}</h3>
      {versions.status === 'error' && (
        <p className="error" role="alert">
          {errorText(versions.error)}
        </p>
      )}
      {versions.status === 'loading' && <p className="status">{t('loading')}</p>}
      {versions.status === 'success' && (
        <ol className="version-list" data-testid="version-history">
          {versions.data.versions
            .map((v, i, all) => ({
              ...v,
              changes: v.snapshot ? describeChanges(all[i - 1]?.snapshot ?? null, v.snapshot, textOf) : [],
            }))
            .reverse()
            .map((v) => (
              <li key={v.version}>
                <p className="version-head">
                  {t('history.version', {
                    version: v.version,
                    who: who(v.changedBy),
                    when: when.format(new Date(v.createdAt)),
                  })}
                </p>
                <ul>
                  {v.changes.map((change, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: a version's changes never reorder
                    <li key={i}>
                      <ChangeText change={change} />
                    </li>
                  ))}
                </ul>
              </li>
            ))}
        </ol>
      )}
    </section>
  );
}
