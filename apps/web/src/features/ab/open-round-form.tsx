import type { AbPromptSource, AbRoundSetup } from '@calma/protocol';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { useApiQuery } from '../../lib/use-api-query';

/**
 * The moderator's form to open a round: two different study models, where prompts come from, and
 * the axes — the final attributes of the latest ended session, or written here when there is none.
 */
export function OpenRoundForm({ base, token, onOpened }: { base: string; token: string; onOpened: () => void }) {
  const { t } = useTranslation('ab');
  const setup = useApiQuery<AbRoundSetup>(`${base}/setup`, token);
  const [modelA, setModelA] = useState('');
  const [modelB, setModelB] = useState('');
  const [chosenPrompts, setPrompts] = useState<AbPromptSource | null>(null);
  const [axes, setAxes] = useState([{ name: '', definition: '' }]);
  const [error, setError] = useState<string | null>(null);
  const ids = { a: useId(), b: useId(), prompts: useId() };
  if (setup.status === 'error') {
    return (
      <p className="error" role="alert">
        {errorText(setup.error)}
      </p>
    );
  }
  if (setup.status !== 'success') return <p className="status">{t('loading')}</p>;
  const { models } = setup.data;
  const fixedAxes = setup.data.axes;
  const a = modelA || models[0]?.id || '';
  const b = modelB || models.find((m) => m.id !== a)?.id || '';
  // Without baseline prompts, participants can only write their own: say so from the start.
  const prompts = chosenPrompts ?? (setup.data.baselinePrompts > 0 ? 'both' : 'own');
  const writtenAxes = axes.filter((x) => x.name.trim() !== '');
  let reason: string | null = null;
  if (models.length < 2) reason = t('open.needModels');
  else if (a === b) reason = t('open.sameModel');
  else if (!fixedAxes && writtenAxes.length === 0) reason = t('open.needAxis');

  const submit = async () => {
    setError(null);
    try {
      await api(base, {
        method: 'POST',
        token,
        body: {
          modelA: a,
          modelB: b,
          prompts,
          ...(fixedAxes
            ? {}
            : { axes: writtenAxes.map((x) => ({ name: x.name.trim(), definition: x.definition.trim() })) }),
        },
      });
      onOpened();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const modelSelect = (id: string, label: string, value: string, set: (v: string) => void) => (
    <div className="ab-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => set(event.target.value)}>
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {m.label}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <section aria-labelledby="ab-open-title" className="ab-open">
      <h2 id="ab-open-title">{t('open.title')}</h2>
      <p className="hint">{t('open.intro')}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <div className="ab-fields">
          {modelSelect(ids.a, t('open.modelA'), a, setModelA)}
          {modelSelect(ids.b, t('open.modelB'), b, setModelB)}
          <div className="ab-field">
            <label htmlFor={ids.prompts}>{t('open.prompts')}</label>
            <select
              id={ids.prompts}
              value={prompts}
              onChange={(event) => setPrompts(event.target.value as AbPromptSource)}
            >
              <option value="both" disabled={setup.data.baselinePrompts === 0}>
                {t('open.promptsBoth')}
              </option>
              <option value="baseline" disabled={setup.data.baselinePrompts === 0}>
                {t('open.promptsBaseline', { count: setup.data.baselinePrompts })}
              </option>
              <option value="own">{t('open.promptsOwn')}</option>
            </select>
          </div>
        </div>
        {fixedAxes ? (
          <section aria-labelledby="ab-axes-title">
            <h3 id="ab-axes-title">{t('open.axesFromSession')}</h3>
            <ul>
              {fixedAxes.map((axis) => (
                <li key={axis.id} dir="auto">
                  <strong>{axis.name}</strong>: {axis.definition}
                </li>
              ))}
            </ul>
          </section>
        ) : (
          <fieldset className="ab-axes-editor">
            <legend>{t('open.axesWritten')}</legend>
            <p className="hint">{t('open.axesHint')}</p>
            {axes.map((axis, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are only appended, never reordered
              <div key={i} className="ab-axis-row">
                <label>
                  {t('open.axisName', { number: i + 1 })}
                  <input
                    dir="auto"
                    maxLength={200}
                    value={axis.name}
                    onChange={(event) =>
                      setAxes((all) => all.map((x, j) => (j === i ? { ...x, name: event.target.value } : x)))
                    }
                  />
                </label>
                <label>
                  {t('open.axisDefinition', { number: i + 1 })}
                  <textarea
                    dir="auto"
                    rows={2}
                    maxLength={2000}
                    value={axis.definition}
                    onChange={(event) =>
                      setAxes((all) => all.map((x, j) => (j === i ? { ...x, definition: event.target.value } : x)))
                    }
                  />
                </label>
              </div>
            ))}
            {axes.length < 12 && (
              <button
                type="button"
                className="secondary"
                onClick={() => setAxes((all) => [...all, { name: '', definition: '' }])}
              >
                {t('open.addAxis')}
              </button>
            )}
          </fieldset>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <ActionButton type="submit" onClick={submit} disabledReason={reason} pendingLabel={t('open.opening')}>
            {t('open.submit')}
          </ActionButton>
        </div>
      </form>
    </section>
  );
}
