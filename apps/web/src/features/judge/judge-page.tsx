import type { Group, JudgeRun, JudgeRunList, StudyModels } from '@calma/protocol';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import type { Session } from '../../lib/contract';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { formatNumber, formatShare } from '../analyst/format';
import { AgreementChart, ScoreDistributions } from './judge-charts';
import './judge.css';

/** How often a running run is read again. */
const pollMs = 1000;

/** The run shown: read again every second while it runs. */
function usePolledRun(runId: string | null, token: string | null, bump: number) {
  const [run, setRun] = useState<JudgeRun | null>(null);
  const [error, setError] = useState<unknown>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `bump` reads the run again after a resume
  useEffect(() => {
    if (!runId || !token) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const next = await api<JudgeRun>(`/api/judge-runs/${encodeURIComponent(runId)}`, { token });
        if (stopped) return;
        setRun(next);
        setError(null);
        if (next.status === 'running') timer = setTimeout(read, pollMs);
      } catch (err) {
        if (!stopped) setError(err);
      }
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [runId, token, bump]);
  return { run: run?.id === runId ? run : null, error };
}

/**
 * `/sessions/:sessionId/judge` (moderators, analysts): run a judge along the session's axes — the
 * offline classifier, or the LLM judge with a study model — watch its progress, and read its score
 * distributions per axis and how well it reproduces the people's own examples.
 */
export function JudgePage({ sessionId }: { sessionId: string }) {
  const { t } = useTranslation('judge');
  const token = useToken();
  const base = `/api/sessions/${encodeURIComponent(sessionId)}`;
  const [bump, setBump] = useState(0);
  const session = useApiQuery<Session>(token ? base : null, token);
  const group = useApiQuery<Group>(
    session.status === 'success' ? `/api/groups/${encodeURIComponent(session.data.groupId)}` : null,
    token,
  );
  const models = useApiQuery<StudyModels>(
    group.status === 'success' ? `/api/studies/${encodeURIComponent(group.data.studyId)}/models` : null,
    token,
  );
  const runs = useApiQuery<JudgeRunList>(token ? `${base}/judge-runs?v=${bump}` : null, token);
  const [chosen, setChosen] = useState<string | null>(null);
  const latest = runs.status === 'success' ? (runs.data.runs[0]?.id ?? null) : null;
  const runId = chosen ?? latest;
  const { run, error: runError } = usePolledRun(runId, token, bump);

  if (!token)
    return (
      <section className="card">
        <h1>{t('title')}</h1>
        <p className="hint">{t('signedOut')}</p>
      </section>
    );

  const start = async (kind: 'classifier' | 'llm', modelId: string | null) => {
    const { id } = await api<{ id: string }>(`${base}/judge-runs`, {
      method: 'POST',
      token,
      body: kind === 'llm' ? { kind, modelId } : { kind },
    });
    setChosen(id);
    setBump((b) => b + 1);
  };
  const resume = async (id: string) => {
    await api(`/api/judge-runs/${encodeURIComponent(id)}/resume`, { method: 'POST', token });
    setBump((b) => b + 1);
  };

  return (
    <div className="judge-page">
      <section className="card" aria-labelledby="judge-title">
        <nav className="judge-nav" aria-label={t('nav.label')}>
          <Link href={`/sessions/${encodeURIComponent(sessionId)}/analysis`}>{t('nav.analysis')}</Link>
          <Link href="/">{t('nav.home')}</Link>
        </nav>
        <h1 id="judge-title">{t('title')}</h1>
        <p className="hint">{t('intro')}</p>
        {runs.status === 'error' && (
          <p className="error" role="alert">
            {runs.error.status === 403 ? t('forbidden') : errorText(runs.error)}
          </p>
        )}
        {runs.status !== 'error' && (
          <StartForm models={models.status === 'success' ? models.data.models : []} onStart={start} />
        )}
      </section>
      {runs.status === 'success' && runs.data.runs.length > 1 && (
        <section className="card" aria-labelledby="runs-title">
          <h2 id="runs-title">{t('runs.title')}</h2>
          <label className="judge-run-choice">
            {t('runs.choose')}
            <select value={runId ?? ''} onChange={(e) => setChosen(e.target.value)}>
              {runs.data.runs.map((r) => (
                <option key={r.id} value={r.id}>
                  {t('runs.option', {
                    kind: t(`kind.${r.kind}`),
                    when: new Date(r.createdAt).toLocaleString(),
                    // The shown run is polled: its status is fresher than the list's.
                    status: t(`status.${r.id === run?.id ? run.status : r.status}`),
                  })}
                </option>
              ))}
            </select>
          </label>
        </section>
      )}
      {runError !== null && (
        <p className="error" role="alert">
          {errorText(runError)}
        </p>
      )}
      {run && <RunView run={run} models={models.status === 'success' ? models.data.models : []} onResume={resume} />}
      {runs.status === 'success' && runs.data.runs.length === 0 && <p className="hint">{t('runs.none')}</p>}
    </div>
  );
}

function StartForm({
  models,
  onStart,
}: {
  models: StudyModels['models'];
  onStart: (kind: 'classifier' | 'llm', modelId: string | null) => Promise<void>;
}) {
  const { t } = useTranslation('judge');
  const [kind, setKind] = useState<'classifier' | 'llm'>('classifier');
  const [modelId, setModelId] = useState<string>('');
  const model = modelId || models[0]?.id || '';
  const [failure, setFailure] = useState<unknown>(null);
  const blocked = kind === 'llm' && models.length === 0 ? t('start.noModels') : null;
  return (
    <form className="judge-start" onSubmit={(e) => e.preventDefault()}>
      <fieldset>
        <legend>{t('start.legend')}</legend>
        <label>
          <input
            type="radio"
            name="judge-kind"
            checked={kind === 'classifier'}
            onChange={() => setKind('classifier')}
          />
          {t('kind.classifier')}
          <span className="hint"> — {t('start.classifierHint')}</span>
        </label>
        <label>
          <input type="radio" name="judge-kind" checked={kind === 'llm'} onChange={() => setKind('llm')} />
          {t('kind.llm')}
          <span className="hint"> — {t('start.llmHint')}</span>
        </label>
      </fieldset>
      {kind === 'llm' && models.length > 0 && (
        <label className="judge-model">
          {t('start.model')}
          <select value={model} onChange={(e) => setModelId(e.target.value)}>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <ActionButton
        type="submit"
        disabledReason={blocked}
        pendingLabel={t('start.pending')}
        onClick={async () => {
          setFailure(null);
          try {
            await onStart(kind, kind === 'llm' ? model : null);
          } catch (err) {
            setFailure(err);
          }
        }}
      >
        {t('start.submit')}
      </ActionButton>
      {failure !== null && (
        <p className="error" role="alert">
          {errorText(failure)}
        </p>
      )}
    </form>
  );
}

function RunView({
  run,
  models,
  onResume,
}: {
  run: JudgeRun;
  models: StudyModels['models'];
  onResume: (id: string) => Promise<void>;
}) {
  const { t, i18n } = useTranslation('judge');
  const lang = i18n.language;
  const modelLabel = models.find((m) => m.id === run.modelId)?.label ?? run.modelId ?? '';
  const { done, total } = run.progress;
  return (
    <section className="card judge-run" aria-labelledby="run-title" data-testid="judge-run" data-status={run.status}>
      <h2 id="run-title">{run.kind === 'llm' ? t('run.titleLlm', { model: modelLabel }) : t('run.titleClassifier')}</h2>
      <p className={`judge-status judge-${run.status}`} role="status" data-testid="judge-status">
        {t(`status.${run.status}`)}
      </p>
      <div className="judge-progress">
        <progress
          max={Math.max(total, 1)}
          value={done}
          aria-label={t('run.progressLabel')}
          aria-valuetext={t('run.progress', { done, total })}
        />
        <span>{t('run.progress', { done, total })}</span>
      </div>
      {run.error && (
        <div className="error" role="alert" data-testid="judge-error">
          <p>{run.error.message}</p>
          {run.status === 'failed' && (
            <ActionButton pendingLabel={t('run.resuming')} onClick={() => onResume(run.id)}>
              {t('run.resume')}
            </ActionButton>
          )}
        </div>
      )}
      <dl className="judge-figures">
        <div>
          <dt>{t('run.scores')}</dt>
          <dd>{formatNumber(run.scores.length, lang, 0)}</dd>
        </div>
        <div>
          <dt>{t('run.tokens')}</dt>
          <dd data-testid="judge-tokens">{formatNumber(run.tokens, lang, 0)}</dd>
        </div>
        <div>
          <dt>{t('run.time')}</dt>
          <dd data-testid="judge-time">{t('run.seconds', { seconds: formatNumber(run.ms / 1000, lang, 1) })}</dd>
        </div>
        {run.failures.length > 0 && (
          <div>
            <dt>{t('run.failures')}</dt>
            <dd>{formatNumber(run.failures.length, lang, 0)}</dd>
          </div>
        )}
      </dl>
      {run.agreement.length > 0 && (
        <section aria-labelledby="agreement-title" className="judge-agreement">
          <h3 id="agreement-title">{t('agreement.title')}</h3>
          <p className="hint">{run.kind === 'classifier' ? t('agreement.introClassifier') : t('agreement.introLlm')}</p>
          <AgreementChart run={run} />
          {/* Focusable so that keyboard users can scroll the table sideways on a phone. */}
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1) */}
          <section className="table-scroll" tabIndex={0} aria-label={t('agreement.caption')}>
            <table data-testid="judge-agreement-table">
              <caption>{t('agreement.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('agreement.axis')}</th>
                  <th scope="col">{t('agreement.n')}</th>
                  <th scope="col">{t('agreement.accuracy')}</th>
                  <th scope="col">{t('agreement.positive')}</th>
                  <th scope="col">{t('agreement.negative')}</th>
                  <th scope="col">{t('agreement.alpha')}</th>
                </tr>
              </thead>
              <tbody>
                {run.agreement.map((a) => (
                  <tr key={a.axisId}>
                    <th scope="row" dir="auto">
                      {a.name ?? a.axisId}
                      {a.borrowedNegatives && <span className="hint"> {t('agreement.borrowed')}</span>}
                    </th>
                    <td>{formatNumber(a.n, lang, 0)}</td>
                    <td>{formatShare(a.accuracy, lang)}</td>
                    <td>{formatShare(a.positiveAccuracy ?? null, lang)}</td>
                    <td>{formatShare(a.negativeAccuracy ?? null, lang)}</td>
                    <td>{formatNumber(a.alpha ?? null, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </section>
      )}
      {run.scores.length > 0 && <ScoreDistributions run={run} />}
    </section>
  );
}
