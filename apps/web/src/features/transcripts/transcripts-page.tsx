import { type FormEvent, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { ApiError } from '../../lib/api';
import type { InteractionList, Me } from '../../lib/contract';
import { downloadWithToken } from '../../lib/download';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import {
  contentTypeFor,
  excerpt,
  exportFileName,
  exportPath,
  type ImportProblem,
  importProblems,
  type TranscriptFormat,
} from './transcript-file';
import './transcripts.css';

type ImportState =
  | { kind: 'idle' }
  | { kind: 'imported'; count: number }
  | { kind: 'refused'; format: TranscriptFormat | null; problems: ImportProblem[]; message: string };

const formats: TranscriptFormat[] = ['json', 'csv', 'ocml'];

/**
 * The moderator's transcripts page: import a file (Calma JSON or CSV, or OCML's ID,TEXT CSV; all
 * or nothing, with every bad row listed), download the group's transcripts in the three formats
 * (pseudonymous unless asked otherwise), and the baseline items every participant codes.
 */
export function TranscriptsPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('sharing');
  const token = useToken();
  const [version, setVersion] = useState(0);
  const base = `/api/groups/${encodeURIComponent(groupId)}`;
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);
  const interactions = useApiQuery<InteractionList>(token ? `${base}/interactions?v=${version}` : null, token);
  const isModerator = me.status === 'success' && (me.data.role === 'moderator' || me.data.role === 'admin');

  return (
    <section className="card transcripts-page" aria-labelledby="transcripts-title">
      <nav className="transcripts-nav" aria-label={t('page.navLabel')}>
        <Link href="/">{t('page.home')}</Link>
      </nav>
      <h1 id="transcripts-title">{t('page.title')}</h1>
      <p>{t('page.intro')}</p>
      {!token && <p className="error">{t('page.signedOut')}</p>}
      {/* The forms show once it is known who is here: the import form, a moderator's only, came
          later and pushed the downloads down under the pointer. */}
      {token && me.status !== 'loading' && isModerator && (
        <ImportForm base={base} token={token} onImported={() => setVersion((v) => v + 1)} />
      )}
      {token && me.status !== 'loading' && <ExportLinks groupId={groupId} token={token} canIdentify={isModerator} />}
      <section aria-labelledby="baseline-title">
        <h2 id="baseline-title">{t('baseline.title')}</h2>
        <p className="hint">{t('baseline.hint')}</p>
        {interactions.status === 'error' && (
          <p className="error" role="alert">
            {errorText(interactions.error)}
          </p>
        )}
        {interactions.status === 'loading' && <p className="status">{t('page.loading')}</p>}
        {interactions.status === 'success' && (
          <BaselineList items={interactions.data.interactions.filter((i) => i.baseline)} />
        )}
        {interactions.status === 'success' && (
          <p>{t('page.total', { count: interactions.data.interactions.length })}</p>
        )}
      </section>
    </section>
  );
}

function BaselineList({ items }: { items: InteractionList['interactions'] }) {
  const { t } = useTranslation('sharing');
  if (items.length === 0) return <p>{t('baseline.none')}</p>;
  return (
    <ul className="baseline-list">
      {items.map((item) => (
        <li key={item.id}>
          <p dir="auto">{excerpt(item.messages.map((m) => m.content).join(' '))}</p>
          <span className="hint">{t('baseline.messages', { count: item.messages.length })}</span>
        </li>
      ))}
    </ul>
  );
}

function ImportForm({ base, token, onImported }: { base: string; token: string; onImported: () => void }) {
  const { t } = useTranslation('sharing');
  const fileId = useId();
  const formatId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<'auto' | TranscriptFormat>('auto');
  const [state, setState] = useState<ImportState>({ kind: 'idle' });

  const send = async () => {
    if (!file) return;
    const query = format === 'auto' ? '' : `?format=${format}`;
    let response: Response;
    try {
      response = await fetch(`${base}/transcripts${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': contentTypeFor(file), accept: 'application/json' },
        body: await file.text(),
      });
    } catch {
      // i18n-ignore: errorText translates by code
      setState({
        kind: 'refused',
        format: null,
        problems: [],
        message: errorText(new ApiError(0, 'NETWORK_ERROR', '')),
      });
      return;
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok) {
      const ids = (body as { ids?: unknown[] } | undefined)?.ids ?? [];
      setState({ kind: 'imported', count: ids.length });
      onImported();
      return;
    }
    const { format: detected, problems } = importProblems(body);
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    setState({
      kind: 'refused',
      format: detected,
      problems,
      message: errorText(new ApiError(response.status, error?.code ?? 'BAD_REQUEST', error?.message ?? '')),
    });
  };

  const submit = (event: FormEvent) => event.preventDefault();

  return (
    <form className="transcripts-import" aria-labelledby="import-title" onSubmit={submit}>
      <h2 id="import-title">{t('import.title')}</h2>
      <p className="hint">{t('import.hint')}</p>
      <div className="field">
        <label htmlFor={fileId}>{t('import.file')}</label>
        <input
          ref={input}
          id={fileId}
          type="file"
          accept=".json,.csv,.txt,application/json,text/csv"
          onChange={(event) => {
            setFile(event.currentTarget.files?.[0] ?? null);
            setState({ kind: 'idle' });
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={formatId}>{t('import.format')}</label>
        <select
          id={formatId}
          value={format}
          onChange={(event) => setFormat(event.currentTarget.value as typeof format)}
        >
          <option value="auto">{t('import.auto')}</option>
          {formats.map((f) => (
            <option key={f} value={f}>
              {t(`format.${f}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="actions">
        <ActionButton
          type="submit"
          disabledReason={file ? null : t('import.chooseFirst')}
          pendingLabel={t('import.importing')}
          onClick={send}
        >
          {t('import.submit')}
        </ActionButton>
      </div>
      <div aria-live="polite">
        {state.kind === 'imported' && <p className="notice">{t('import.done', { count: state.count })}</p>}
      </div>
      {state.kind === 'refused' && (
        <div className="error" role="alert">
          <p>{state.problems.length > 0 ? t('import.refused', { count: state.problems.length }) : state.message}</p>
          {state.problems.length > 0 && (
            <ul className="import-problems">
              {state.problems.map((p) => (
                <li key={`${p.row}-${p.field ?? ''}-${p.message}`}>
                  <strong>
                    {state.format === 'json' ? t('import.item', { row: p.row }) : t('import.line', { row: p.row })}
                  </strong>{' '}
                  {p.field && !p.message.startsWith(p.field) && <code>{p.field}</code>}{' '}
                  <span lang="en">{p.message}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}

function ExportLinks({ groupId, token, canIdentify }: { groupId: string; token: string; canIdentify: boolean }) {
  const { t } = useTranslation('sharing');
  const [identified, setIdentified] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const checkId = useId();

  const download = async (format: TranscriptFormat) => {
    setFailure(null);
    setFailure(
      await downloadWithToken(
        exportPath(groupId, format, identified && canIdentify),
        exportFileName(groupId, format),
        token,
      ),
    );
  };

  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">{t('export.title')}</h2>
      <p className="hint">{t('export.hint')}</p>
      {canIdentify && (
        <div className="check-field">
          <input
            id={checkId}
            type="checkbox"
            checked={identified}
            onChange={(e) => setIdentified(e.currentTarget.checked)}
          />
          <label htmlFor={checkId}>{t('export.identified')}</label>
        </div>
      )}
      <div className="actions">
        {formats.map((format) => (
          <ActionButton key={format} className="secondary" onClick={() => download(format)}>
            {t('export.download', { format: t(`format.${format}`) })}
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
