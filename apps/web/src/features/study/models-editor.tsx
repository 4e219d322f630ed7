import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { SaveOutcome } from './save-outcome';
import type { Assignment, ModelProvider, StudyModel, StudyModels } from './types';
import { useSave } from './use-save';

/** A model as the form holds it: every field a string, so half-typed numbers stay as typed. */
interface ModelDraft {
  key: number;
  id: string;
  label: string;
  provider: ModelProvider;
  baseUrl: string;
  model: string;
  temperature: string;
  maxTokens: string;
  topP: string;
  apiKeyEnv: string;
}

let nextKey = 1;

const toDraft = (m: StudyModel): ModelDraft => ({
  key: nextKey++,
  id: m.id,
  label: m.label,
  provider: m.provider,
  baseUrl: m.baseUrl ?? '',
  model: m.model,
  temperature: m.params?.temperature?.toString() ?? '',
  maxTokens: m.params?.maxTokens?.toString() ?? '',
  topP: m.params?.topP?.toString() ?? '',
  apiKeyEnv: m.apiKeyEnv ?? '',
});

const number = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/** The model as the API takes it: blanks left out, numbers as numbers. */
export function fromDraft(d: ModelDraft): StudyModel {
  const params = { temperature: number(d.temperature), maxTokens: number(d.maxTokens), topP: number(d.topP) };
  const set = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  return {
    id: d.id.trim(),
    label: d.label.trim(),
    provider: d.provider,
    model: d.model.trim(),
    ...(d.provider === 'openai' && d.baseUrl.trim() ? { baseUrl: d.baseUrl.trim() } : {}),
    ...(Object.keys(set).length > 0 ? { params: set } : {}),
    ...(d.provider === 'openai' && d.apiKeyEnv.trim() ? { apiKeyEnv: d.apiKeyEnv.trim() } : {}),
  };
}

/** The study's models and assignment rule, through `GET`/`PUT /api/studies/:studyId/models`. */
export function ModelsEditor({ path, token }: { path: string; token: string | null }) {
  const { t } = useTranslation('study');
  const [drafts, setDrafts] = useState<ModelDraft[] | null>(null);
  const [assignment, setAssignment] = useState<Assignment>('fixed');
  const [loadError, setLoadError] = useState<string | null>(null);
  const save = useSave();

  useEffect(() => {
    const controller = new AbortController();
    api<StudyModels>(path, { token, signal: controller.signal }).then(
      (data) => {
        setDrafts(data.models.map(toDraft));
        setAssignment(data.assignment);
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setLoadError(errorText(error));
      },
    );
    return () => controller.abort();
  }, [path, token]);

  if (loadError)
    return (
      <section aria-labelledby="models-title">
        <h2 id="models-title">{t('models.title')}</h2>
        <p className="error" role="alert">
          {loadError}
        </p>
      </section>
    );
  if (drafts === null)
    return (
      <section aria-labelledby="models-title">
        <h2 id="models-title">{t('models.title')}</h2>
        <p className="status">{t('loading')}</p>
      </section>
    );

  const update = (key: number, change: Partial<ModelDraft>) => {
    save.touched();
    setDrafts((all) => (all ?? []).map((d) => (d.key === key ? { ...d, ...change } : d)));
  };
  const add = () => {
    save.touched();
    const n = drafts.length + 1;
    setDrafts([...drafts, toDraft({ id: `model-${n}`, label: '', provider: 'openai', model: '' })]);
  };
  const remove = (key: number) => {
    save.touched();
    setDrafts(drafts.filter((d) => d.key !== key));
  };
  const incomplete = drafts.some((d) => !d.id.trim() || !d.label.trim() || !d.model.trim());
  const badNumber = drafts.some((d) => [d.temperature, d.maxTokens, d.topP].some((v) => Number.isNaN(Number(v))));

  return (
    <section aria-labelledby="models-title">
      <h2 id="models-title">{t('models.title')}</h2>
      <p className="notice" data-testid="key-note">
        {t('models.keyNote')}
      </p>
      <form onSubmit={(e) => e.preventDefault()}>
        {drafts.length === 0 && <p>{t('models.none')}</p>}
        {drafts.map((d, i) => (
          <ModelFields
            key={d.key}
            draft={d}
            number={i + 1}
            onChange={(change) => update(d.key, change)}
            onRemove={() => remove(d.key)}
          />
        ))}
        <div className="actions">
          <button type="button" className="secondary" onClick={add}>
            {t('models.add')}
          </button>
        </div>
        <div className="field">
          <label htmlFor="assignment">{t('models.assignment')}</label>
          <select
            id="assignment"
            value={assignment}
            onChange={(e) => {
              save.touched();
              setAssignment(e.target.value as Assignment);
            }}
          >
            {(['fixed', 'random', 'choice'] as const).map((a) => (
              <option key={a} value={a}>
                {t(`models.assign.${a}`)}
              </option>
            ))}
          </select>
        </div>
        <ActionButton
          type="submit"
          disabledReason={incomplete ? t('models.incomplete') : badNumber ? t('models.badNumber') : null}
          onClick={() =>
            save.run(async () => {
              const saved = await api<StudyModels>(path, {
                method: 'PUT',
                token,
                body: { models: drafts.map(fromDraft), assignment },
              });
              setDrafts(saved.models.map(toDraft));
            })
          }
        >
          {t('models.save')}
        </ActionButton>
        <SaveOutcome state={save.state} testId="models-outcome" />
      </form>
    </section>
  );
}

function ModelFields({
  draft,
  number,
  onChange,
  onRemove,
}: {
  draft: ModelDraft;
  number: number;
  onChange: (change: Partial<ModelDraft>) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation('study');
  const id = useId();
  const text = (field: 'id' | 'label' | 'baseUrl' | 'model' | 'apiKeyEnv', props: object = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${field}`}>{t(`models.field.${field}`)}</label>
      <input
        id={`${id}-${field}`}
        value={draft[field]}
        onChange={(e) => onChange({ [field]: e.target.value })}
        {...props}
      />
    </div>
  );
  const param = (field: 'temperature' | 'maxTokens' | 'topP', step: string) => (
    <div className="field">
      <label htmlFor={`${id}-${field}`}>{t(`models.field.${field}`)}</label>
      <input
        id={`${id}-${field}`}
        type="number"
        step={step}
        min={0}
        value={draft[field]}
        onChange={(e) => onChange({ [field]: e.target.value })}
      />
    </div>
  );

  return (
    <fieldset className="model-editor" data-testid="model-editor">
      <legend>{t('models.legend', { number })}</legend>
      <div className="model-grid">
        {text('id', { spellCheck: false, autoComplete: 'off' })}
        {text('label', { dir: 'auto' })}
        <div className="field">
          <label htmlFor={`${id}-provider`}>{t('models.field.provider')}</label>
          <select
            id={`${id}-provider`}
            value={draft.provider}
            onChange={(e) => onChange({ provider: e.target.value as ModelProvider })}
          >
            {(['openai', 'local', 'replay'] as const).map((p) => (
              <option key={p} value={p}>
                {t(`models.provider.${p}`)}
              </option>
            ))}
          </select>
        </div>
        {text('model', { spellCheck: false, autoComplete: 'off' })}
        {draft.provider === 'openai' && text('baseUrl', { type: 'url', spellCheck: false, placeholder: 'http://…/v1' })}
        {draft.provider === 'openai' &&
          text('apiKeyEnv', { spellCheck: false, autoComplete: 'off', placeholder: 'OPENAI_API_KEY' })}
        {param('temperature', '0.1')}
        {param('maxTokens', '1')}
        {param('topP', '0.05')}
      </div>
      <p className="hint">{t(`models.providerHint.${draft.provider}`)}</p>
      <button type="button" className="secondary" onClick={onRemove}>
        {t('models.remove', { number })}
      </button>
    </fieldset>
  );
}
