import type { ComparableGroups, Comparison, ComparisonPair, Me } from '@calma/protocol';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { downloadWithToken } from '../../lib/download';
import { errorText } from '../../lib/errors';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { BrokenRow, PairRow, UniqueRow } from './pair-row';
import './comparison.css';

const formats = ['json', 'csv', 'md'] as const;

/** The groups chosen live in the address (`?groups=A,B`), so a reload or a shared link keeps them. */
const groupsInAddress = (): string[] =>
  (new URLSearchParams(window.location.search).get('groups') ?? '').split(',').filter((id) => id !== '');

/** A decision as the page sends it. */
export type Decide = (
  pair: { a: string; b: string },
  decision: { status: 'confirmed' | 'broken'; kind: 'shared' | 'near' } | null,
) => Promise<void>;

/**
 * `/studies/:studyId/comparison` (the admin; analysts of the study's groups): the axes of two or
 * more groups side by side, paired by meaning as shared, near and unique, with the analyst's
 * confirm / break / pair-with controls and the exports of the current table.
 */
export function ComparisonPage({ studyId }: { studyId: string }) {
  const { t } = useTranslation('comparison');
  const token = useToken();
  const base = `/api/studies/${encodeURIComponent(studyId)}/comparison`;
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);
  const listed = useApiQuery<ComparableGroups>(token ? `${base}/groups` : null, token);
  const [chosen, setChosen] = useState<string[]>(groupsInAddress);
  const [version, setVersion] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const all = listed.status === 'success' ? listed.data.groups : [];
  const own = me.status === 'success' && me.data.role === 'analyst' ? me.data.groupId : null;
  // Until the analyst chooses: every group with axes (the analyst's own always among them).
  const groups = chosen.length > 0 ? chosen : all.filter((g) => g.axes > 0 || g.groupId === own).map((g) => g.groupId);
  const query = groups.length >= 2 ? `?groups=${groups.map(encodeURIComponent).join(',')}` : null;
  const table = useApiQuery<Comparison>(token && query ? `${base}${query}&v=${version}` : null, token);

  const choose = (groupId: string, on: boolean) => {
    const next = on ? [...groups, groupId] : groups.filter((g) => g !== groupId);
    setChosen(next);
    const path = `/studies/${encodeURIComponent(studyId)}/comparison`;
    window.history.replaceState(null, '', next.length > 0 ? `${path}?groups=${next.join(',')}` : path);
  };

  const decide: Decide = async (pair, decision) => {
    setProblem(null);
    try {
      if (decision === null)
        await api(`${base}/pairs?a=${encodeURIComponent(pair.a)}&b=${encodeURIComponent(pair.b)}`, {
          method: 'DELETE',
          token,
        });
      else await api(`${base}/pairs`, { method: 'PUT', token, body: { ...pair, ...decision } });
      // The key, not the sentence: a language switch afterwards translates it too.
      setNotice(decision === null ? 'notice.undone' : `notice.${decision.status}`);
      setVersion((v) => v + 1);
    } catch (error) {
      setProblem(errorText(error));
    }
  };

  const download = async (format: (typeof formats)[number]) => {
    if (!token || !query) return;
    const failed = await downloadWithToken(
      `${base}/export${query}&format=${format}`,
      `calma-comparison-${studyId}.${format}`,
      token,
    );
    setProblem(failed);
  };

  if (!token) return <p className="hint">{t('signedOut')}</p>;
  if (listed.status === 'error')
    return (
      <section className="card">
        <h1>{t('title')}</h1>
        <p className="error" role="alert">
          {errorText(listed.error)}
        </p>
      </section>
    );

  const data = table.status === 'success' ? table.data : null;
  const shared = data?.pairs.filter((p) => p.kind === 'shared') ?? [];
  const near = data?.pairs.filter((p) => p.kind === 'near') ?? [];
  const groupName = new Map(all.map((g) => [g.groupId, g.name]));
  const definitions = new Map(data?.groups.flatMap((g) => g.axes.map((a) => [a.attributeId, a.definition])) ?? []);

  return (
    <div className="comparison-page">
      <header className="card">
        <h1>{t('title')}</h1>
        <p className="hint">{t('intro')}</p>
        <fieldset className="comparison-groups">
          <legend>{t('groups.legend')}</legend>
          {listed.status !== 'success' && <p className="status">{t('loading')}</p>}
          {all.map((g) => (
            <label key={g.groupId} className="comparison-group-choice">
              <input
                type="checkbox"
                checked={groups.includes(g.groupId)}
                onChange={(event) => choose(g.groupId, event.target.checked)}
              />
              <span dir="auto">{g.name}</span>{' '}
              <span className="hint">
                {g.sessionId === null ? t('groups.noSession') : t('groups.axes', { count: g.axes })}
              </span>
            </label>
          ))}
          {own !== null && <p className="hint">{t('groups.ownNeeded')}</p>}
        </fieldset>
        <fieldset className="actions comparison-exports">
          <legend>{t('export.legend')}</legend>
          {formats.map((format) => (
            <ActionButton
              key={format}
              pendingLabel={t('export.pending')}
              disabledReason={query ? null : t('groups.tooFew')}
              onClick={() => download(format)}
            >
              {t(`export.${format}`)}
            </ActionButton>
          ))}
        </fieldset>
        {data && <p className="hint">{t('suggestedBy', { model: data.suggestedBy })}</p>}
      </header>
      <div aria-live="polite" className="comparison-live">
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        {notice && !problem && <p className="status">{t(notice)}</p>}
      </div>
      {!query && <p className="hint">{t('groups.tooFew')}</p>}
      {table.status === 'error' && (
        <p className="error" role="alert">
          {errorText(table.error)}
        </p>
      )}
      {query && table.status === 'loading' && <p className="status">{t('loading')}</p>}
      {data && (
        <>
          <PairSection id="shared" pairs={shared} decide={decide} groupName={groupName} definitions={definitions} />
          <PairSection id="near" pairs={near} decide={decide} groupName={groupName} definitions={definitions} />
          <section className="card" aria-labelledby="unique-title">
            <h2 id="unique-title">{t('unique.title', { count: data.unique.length })}</h2>
            <p className="hint">{t('unique.intro')}</p>
            {data.unique.length === 0 ? (
              <p>{t('unique.none')}</p>
            ) : (
              <ul className="comparison-list">
                {data.unique.map((axis) => (
                  <UniqueRow
                    key={axis.attributeId}
                    axis={axis}
                    groupName={groupName}
                    definitions={definitions}
                    others={data.groups
                      .filter((g) => g.groupId !== axis.groupId)
                      .flatMap((g) => g.axes.map((a) => ({ ...a, groupId: g.groupId })))}
                    decide={decide}
                  />
                ))}
              </ul>
            )}
          </section>
          {data.broken.length > 0 && (
            <section className="card" aria-labelledby="broken-title">
              <h2 id="broken-title">{t('broken.title', { count: data.broken.length })}</h2>
              <p className="hint">{t('broken.intro')}</p>
              <ul className="comparison-list">
                {data.broken.map((pair) => (
                  <BrokenRow
                    key={`${pair.a.attributeId}-${pair.b.attributeId}`}
                    pair={pair}
                    decide={decide}
                    groupName={groupName}
                    definitions={definitions}
                  />
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </div>
  );
}

function PairSection({
  id,
  pairs,
  decide,
  groupName,
  definitions,
}: {
  id: 'shared' | 'near';
  pairs: ComparisonPair[];
  decide: Decide;
  groupName: Map<string, string>;
  definitions: Map<string, string>;
}) {
  const { t } = useTranslation('comparison');
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t(`${id}.title`, { count: pairs.length })}</h2>
      <p className="hint">{t(`${id}.intro`)}</p>
      {pairs.length === 0 ? (
        <p>{t(`${id}.none`)}</p>
      ) : (
        <ul className="comparison-list">
          {pairs.map((pair) => (
            <PairRow
              key={`${pair.a.attributeId}-${pair.b.attributeId}`}
              pair={pair}
              decide={decide}
              groupName={groupName}
              definitions={definitions}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
