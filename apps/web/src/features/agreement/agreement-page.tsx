import type { Agreement, CodeAgreement, InteractionList, ParticipantList } from '@calma/protocol';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { downloadWithToken } from '../../lib/download';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { agreementLevel, formatAlpha } from './agreement-sentence';
import './agreement.css';

type SortKey = 'text' | 'alpha' | 'coders' | 'units';

const excerptLength = 160;

/** The chosen code lives in the address (`?code=`), so a reload or a shared link keeps it. */
function codeInAddress(): string | null {
  return new URLSearchParams(window.location.search).get('code');
}

/**
 * `/groups/:groupId/agreement` (moderators, analysts): Krippendorff's alpha on the baseline set,
 * said in a sentence; every code's alpha in a sortable table; for a chosen code, which coders
 * split on which baseline turns; and the exports.
 */
export function AgreementPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('agreement');
  const token = useToken();
  const base = `/api/groups/${encodeURIComponent(groupId)}`;
  const [code, setCode] = useState<string | null>(codeInAddress);
  const agreement = useApiQuery<Agreement>(token ? `${base}/agreement` : null, token);
  const detail = useApiQuery<Agreement>(
    token && code ? `${base}/agreement?code=${encodeURIComponent(code)}` : null,
    token,
  );
  const people = useApiQuery<ParticipantList>(token ? `${base}/participants` : null, token);
  const interactions = useApiQuery<InteractionList>(token && code ? `${base}/interactions` : null, token);

  const choose = (next: string | null) => {
    setCode(next);
    const path = `/groups/${encodeURIComponent(groupId)}/agreement`;
    window.history.replaceState(null, '', next ? `${path}?code=${encodeURIComponent(next)}` : path);
  };

  let body: React.ReactNode;
  if (!token) body = <p className="hint">{t('signedOut')}</p>;
  else if (agreement.status === 'error') {
    body = (
      <p className="error" role="alert">
        {errorText(agreement.error)}
      </p>
    );
  } else if (agreement.status !== 'success') body = <p className="status">{t('loading')}</p>;
  else {
    const names = new Map(
      people.status === 'success' ? people.data.participants.map((p) => [p.id, p.displayName]) : [],
    );
    const chosen = detail.status === 'success' ? detail.data.codes.find((c) => c.disagreements) : undefined;
    body = (
      <>
        <Overall data={agreement.data} />
        <CodeTable codes={agreement.data.codes} chosen={code} onChoose={choose} />
        <AttributeTable attributes={agreement.data.attributes} />
        {code && (
          <section aria-labelledby="split-title" className="agreement-split">
            <h2 id="split-title" dir="auto">
              {t('split.title', { code })}
            </h2>
            <button type="button" className="secondary" onClick={() => choose(null)}>
              {t('split.close')}
            </button>
            {detail.status === 'error' && (
              <p className="error" role="alert">
                {errorText(detail.error)}
              </p>
            )}
            {detail.status === 'loading' && <p className="status">{t('loading')}</p>}
            {detail.status === 'success' && !chosen && <p className="hint">{t('split.unknown')}</p>}
            {chosen && (
              <Disagreements
                code={chosen}
                names={names}
                interactions={interactions.status === 'success' ? interactions.data.interactions : []}
              />
            )}
          </section>
        )}
      </>
    );
  }

  return (
    <section className="card agreement-page" aria-labelledby="agreement-title">
      <nav className="agreement-nav" aria-label={t('nav.label')}>
        <Link href={`/groups/${encodeURIComponent(groupId)}/transcripts`}>{t('nav.transcripts')}</Link>
        <Link href="/">{t('nav.home')}</Link>
      </nav>
      <h1 id="agreement-title">{t('title')}</h1>
      <p className="hint">{t('intro')}</p>
      {body}
      {/* Under the figures once they have come: shown while they loaded, the downloads moved. */}
      {token && agreement.status !== 'loading' && <Downloads groupId={groupId} token={token} />}
    </section>
  );
}

function Overall({ data }: { data: Agreement }) {
  const { t } = useTranslation('agreement');
  const level = agreementLevel(data.overall);
  return (
    <section aria-labelledby="overall-title">
      <h2 id="overall-title">{t('overall.title')}</h2>
      <p className={`agreement-overall agreement-${level}`} data-testid="agreement-overall">
        {t(`overall.${level}`, { alpha: formatAlpha(data.overall) })}
      </p>
      <p className="hint">
        {t('overall.base', {
          coders: t('coderCount', { count: data.coders }),
          units: t('unitCount', { count: data.units }),
        })}{' '}
        {t('overall.thresholds')}
      </p>
    </section>
  );
}

function CodeTable({
  codes,
  chosen,
  onChoose,
}: {
  codes: CodeAgreement[];
  chosen: string | null;
  onChoose: (code: string) => void;
}) {
  const { t, i18n } = useTranslation('agreement');
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'alpha', descending: false });
  if (codes.length === 0) return <p className="hint">{t('codes.none')}</p>;
  const collator = new Intl.Collator(i18n.language);
  const sorted = [...codes].sort((a, b) => {
    let order: number;
    if (sort.key === 'text') order = collator.compare(a.text, b.text);
    else if (sort.key === 'alpha') {
      // Undefined alphas go last whichever way the column is sorted.
      if (a.alpha === null || b.alpha === null) return Number(a.alpha === null) - Number(b.alpha === null);
      order = a.alpha - b.alpha;
    } else order = a[sort.key] - b[sort.key];
    return sort.descending ? -order : order;
  });
  const header = (key: SortKey) => {
    const active = sort.key === key;
    return (
      <th scope="col" aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : undefined}>
        <button
          type="button"
          className="agreement-sort"
          onClick={() => setSort({ key, descending: active ? !sort.descending : key !== 'text' && key !== 'alpha' })}
        >
          {t(`codes.column.${key}`)}
          <span aria-hidden="true">{active ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
        </button>
      </th>
    );
  };
  return (
    <section aria-labelledby="codes-title">
      <h2 id="codes-title">{t('codes.title')}</h2>
      <p className="hint">{t('codes.hint')}</p>
      {/* Focusable so that keyboard users can scroll the table sideways on a phone. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1) */}
      <section className="agreement-table-wrap" tabIndex={0} aria-label={t('codes.caption')}>
        <table className="table agreement-table">
          <caption className="visually-hidden">{t('codes.caption')}</caption>
          <thead>
            <tr>
              {header('text')}
              {header('alpha')}
              {header('coders')}
              {header('units')}
              <th scope="col">{t('codes.column.split')}</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((c) => (
              <tr key={c.text} data-testid="agreement-code" aria-current={chosen === c.text ? 'true' : undefined}>
                <th scope="row" dir="auto">
                  {c.text}
                </th>
                <td data-label={t('codes.column.alpha')}>
                  {c.alpha === null ? (
                    <span title={t('codes.noVariation')}>{t('codes.nullAlpha')}</span>
                  ) : (
                    formatAlpha(c.alpha)
                  )}
                </td>
                <td data-label={t('codes.column.coders')}>{c.coders}</td>
                <td data-label={t('codes.column.units')}>{c.units}</td>
                <td data-label={t('codes.column.split')}>
                  {c.split === 0 ? (
                    t('codes.noSplit')
                  ) : (
                    <button type="button" className="agreement-link-button" onClick={() => onChoose(c.text)}>
                      {t('codes.showSplit', { count: c.split })}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {codes.some((c) => c.alpha === null) && <p className="hint">{t('codes.noVariation')}</p>}
    </section>
  );
}

function AttributeTable({ attributes }: { attributes: Agreement['attributes'] }) {
  const { t } = useTranslation('agreement');
  if (attributes.length === 0) return null;
  return (
    <section aria-labelledby="attributes-title">
      <h2 id="attributes-title">{t('attributes.title')}</h2>
      <p className="hint">{t('attributes.hint')}</p>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1) */}
      <section className="agreement-table-wrap" tabIndex={0} aria-label={t('attributes.caption')}>
        <table className="table agreement-table">
          <caption className="visually-hidden">{t('attributes.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('attributes.column.name')}</th>
              <th scope="col">{t('codes.column.alpha')}</th>
              <th scope="col">{t('codes.column.coders')}</th>
              <th scope="col">{t('codes.column.units')}</th>
            </tr>
          </thead>
          <tbody>
            {attributes.map((a) => (
              <tr key={a.id}>
                <th scope="row" dir="auto">
                  {a.name}
                </th>
                <td data-label={t('codes.column.alpha')}>
                  {a.alpha === null ? t('codes.nullAlpha') : formatAlpha(a.alpha)}
                </td>
                <td data-label={t('codes.column.coders')}>{a.coders}</td>
                <td data-label={t('codes.column.units')}>{a.units}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}

function Disagreements({
  code,
  names,
  interactions,
}: {
  code: CodeAgreement;
  names: Map<string, string>;
  interactions: InteractionList['interactions'];
}) {
  const { t } = useTranslation('agreement');
  const list = code.disagreements ?? [];
  if (list.length === 0) return <p className="hint">{t('split.none')}</p>;
  const who = (ids: string[]) => ids.map((id) => names.get(id) ?? id).join(', ');
  return (
    <ul className="agreement-units">
      {list.map((unit) => {
        const text = interactions.find((i) => i.id === unit.interactionId)?.messages[unit.messageIndex]?.content ?? '';
        const excerpt = text.length > excerptLength ? `${text.slice(0, excerptLength)}…` : text;
        return (
          <li key={`${unit.interactionId}:${unit.messageIndex}`} data-testid="agreement-unit">
            <blockquote dir="auto">{excerpt || t('split.turn', { index: unit.messageIndex })}</blockquote>
            <dl className="agreement-sides">
              <dt>{t('split.applied')}</dt>
              <dd dir="auto">{who(unit.applied)}</dd>
              <dt>{t('split.notApplied')}</dt>
              <dd dir="auto">{who(unit.notApplied)}</dd>
            </dl>
          </li>
        );
      })}
    </ul>
  );
}

function Downloads({ groupId, token }: { groupId: string; token: string }) {
  const { t } = useTranslation('agreement');
  const [failure, setFailure] = useState<string | null>(null);
  const base = `/api/groups/${encodeURIComponent(groupId)}`;
  const files = [
    { key: 'codebook', path: `${base}/codebook.csv`, name: `calma-codebook-${groupId}.csv` },
    { key: 'segments', path: `${base}/coded-segments.csv`, name: `calma-coded-segments-${groupId}.csv` },
    { key: 'qdpx', path: `${base}/export.qdpx`, name: `calma-${groupId}.qdpx` },
  ] as const;
  return (
    <section className="agreement-downloads" aria-labelledby="downloads-title">
      <h2 id="downloads-title">{t('downloads.title')}</h2>
      <p className="hint">{t('downloads.hint')}</p>
      <div className="actions">
        {files.map((file) => (
          <ActionButton
            key={file.key}
            className="secondary"
            onClick={async () => setFailure(await downloadWithToken(file.path, file.name, token))}
          >
            {t(`downloads.${file.key}`)}
          </ActionButton>
        ))}
      </div>
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
    </section>
  );
}
