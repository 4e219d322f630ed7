import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { languages } from '../../lib/i18n';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { ModelsEditor } from './models-editor';
import { OrientationSummary } from './orientation-summary';
import { SaveOutcome } from './save-outcome';
import { stages as allStages, type Stage, type StudyDetail, type StudyStages } from './types';
import { useSave } from './use-save';
import './study.css';

/**
 * `/studies/:studyId`: the administrator sets a study up: its deployment context, the models
 * participants chat with, the stage settings and the orientation. Each part saves on its own, so
 * a validation error stays beside the part it is about.
 */
export function StudyPage({ studyId }: { studyId: string }) {
  const { t } = useTranslation('study');
  const token = useToken();
  const path = `/api/studies/${encodeURIComponent(studyId)}`;
  const study = useApiQuery<StudyDetail>(token ? path : null, token);

  return (
    <div className="card study-page">
      <nav aria-label={t('navLabel')}>
        <Link href="/studies">{t('backToList')}</Link>
      </nav>
      {study.status === 'success' ? <h1 dir="auto">{study.data.title}</h1> : <h1>{t('title')}</h1>}
      {!token && <p className="notice">{t('adminOnly')}</p>}
      {study.status === 'loading' && <p className="status">{t('loading')}</p>}
      {study.status === 'error' && (
        <p className="error" role="alert">
          {study.error.status === 403 ? t('adminOnly') : errorText(study.error)}
        </p>
      )}
      {study.status === 'success' && (
        <>
          <ContextForm study={study.data} path={path} token={token} />
          <ModelsEditor path={`${path}/models`} token={token} />
          <StagesSection path={`${path}/stages`} token={token} />
          <OrientationSummary studyId={studyId} token={token} />
        </>
      )}
    </div>
  );
}

function ContextForm({ study, path, token }: { study: StudyDetail; path: string; token: string | null }) {
  const { t } = useTranslation('study');
  const [title, setTitle] = useState(study.title);
  const [context, setContext] = useState(study.context);
  const [language, setLanguage] = useState(study.language);
  const save = useSave();
  const edit = <K extends keyof StudyDetail['context']>(key: K, value: string) => {
    save.touched();
    setContext((c) => ({ ...c, [key]: value }));
  };

  return (
    <section aria-labelledby="context-title">
      <h2 id="context-title">{t('context.title')}</h2>
      <p className="hint">{t('context.intro')}</p>
      <form onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="study-title">{t('list.studyTitle')}</label>
          <input
            id="study-title"
            dir="auto"
            value={title}
            onChange={(e) => {
              save.touched();
              setTitle(e.target.value);
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="context-name">{t('context.name')}</label>
          <input id="context-name" dir="auto" value={context.name} onChange={(e) => edit('name', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="context-description">{t('context.description')}</label>
          <textarea
            id="context-description"
            dir="auto"
            value={context.description}
            onChange={(e) => edit('description', e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="context-prompt">{t('context.systemPrompt')}</label>
          <textarea
            id="context-prompt"
            dir="auto"
            value={context.systemPrompt}
            onChange={(e) => edit('systemPrompt', e.target.value)}
          />
          <p className="hint">{t('context.systemPromptHint')}</p>
        </div>
        <div className="field">
          <label htmlFor="study-language">{t('context.language')}</label>
          <select
            id="study-language"
            value={language}
            onChange={(e) => {
              save.touched();
              setLanguage(e.target.value === 'hi' ? 'hi' : 'en');
            }}
          >
            {Object.entries(languages).map(([code, { name }]) => (
              <option key={code} value={code} lang={code}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <ActionButton
          type="submit"
          onClick={() =>
            save.run(() => api(path, { method: 'PATCH', token, body: { title: title.trim(), context, language } }))
          }
        >
          {t('context.save')}
        </ActionButton>
        <SaveOutcome state={save.state} testId="context-outcome" />
      </form>
    </section>
  );
}

/** The stage settings, through `GET`/`PUT /api/studies/:studyId/stages` (the familiarize routes). */
function StagesSection({ path, token }: { path: string; token: string | null }) {
  const { t } = useTranslation('study');
  const stages = useApiQuery<StudyStages>(path, token);
  if (stages.status === 'success') return <StagesForm initial={stages.data} path={path} token={token} />;
  return (
    <section aria-labelledby="stages-title">
      <h2 id="stages-title">{t('stages.title')}</h2>
      {stages.status === 'error' ? (
        <p className="error" role="alert">
          {errorText(stages.error)}
        </p>
      ) : (
        <p className="status">{t('loading')}</p>
      )}
    </section>
  );
}

function StagesForm({ initial, path, token }: { initial: StudyStages; path: string; token: string | null }) {
  const { t } = useTranslation('study');
  const [open, setOpen] = useState<Stage[]>(initial.open);
  const [minTurns, setMinTurns] = useState(String(initial.minTurns));
  const [maxTurns, setMaxTurns] = useState(String(initial.maxTurns));
  const save = useSave();
  const min = Number(minTurns);
  const max = Number(maxTurns);
  const invalid =
    !Number.isInteger(min) || !Number.isInteger(max) || minTurns === '' || maxTurns === '' || min < 0 || max < 1
      ? t('stages.whole')
      : min > max
        ? t('stages.minOverMax')
        : null;

  const toggle = (stage: Stage, on: boolean) => {
    save.touched();
    setOpen((current) => allStages.filter((s) => (s === stage ? on : current.includes(s))));
  };

  return (
    <section aria-labelledby="stages-title">
      <h2 id="stages-title">{t('stages.title')}</h2>
      <form onSubmit={(e) => e.preventDefault()}>
        <fieldset className="stage-options">
          <legend>{t('stages.open')}</legend>
          {allStages.map((stage) => (
            <label key={stage} className="checkbox">
              <input type="checkbox" checked={open.includes(stage)} onChange={(e) => toggle(stage, e.target.checked)} />{' '}
              {t(`stages.name.${stage}`)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="min-turns">{t('stages.minTurns')}</label>
          <input
            id="min-turns"
            type="number"
            min={0}
            inputMode="numeric"
            value={minTurns}
            onChange={(e) => {
              save.touched();
              setMinTurns(e.target.value);
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="max-turns">{t('stages.maxTurns')}</label>
          <input
            id="max-turns"
            type="number"
            min={1}
            inputMode="numeric"
            value={maxTurns}
            onChange={(e) => {
              save.touched();
              setMaxTurns(e.target.value);
            }}
          />
        </div>
        <ActionButton
          type="submit"
          disabledReason={invalid}
          onClick={() =>
            save.run(() =>
              api(path, { method: 'PATCH', token, body: { stages: { open, minTurns: min, maxTurns: max } } }),
            )
          }
        >
          {t('stages.save')}
        </ActionButton>
        <SaveOutcome state={save.state} testId="stages-outcome" />
      </form>
    </section>
  );
}
