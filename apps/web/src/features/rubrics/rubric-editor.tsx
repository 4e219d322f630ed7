import type { RubricVersion } from '@calma/protocol';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { ApiError, api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { getToken } from '../../lib/token';
import { RubricHistory } from './rubric-history';

type Example = RubricVersion['rubric']['examples'][number];

/** What the form holds: the rubric's editable parts. */
interface Draft {
  prompt: string;
  /** Descriptions by score, 1 to 5. */
  levels: string[];
  examples: Example[];
}

const draftOf = (version: RubricVersion): Draft => ({
  prompt: version.rubric.prompt,
  levels: [1, 2, 3, 4, 5].map((score) => version.rubric.levels.find((l) => l.score === score)?.description ?? ''),
  examples: version.rubric.examples,
});

const move = <T,>(list: readonly T[], from: number, to: number): T[] => {
  const next = [...list];
  const [item] = next.splice(from, 1);
  if (item !== undefined) next.splice(to, 0, item);
  return next;
};

/**
 * One axis's rubric as a form: the judge prompt, five score levels and the few-shot examples
 * (remove, reorder). Saving writes a new version on the one loaded; when someone saved in between,
 * the server refuses (409) and the form offers the latest instead of overwriting it.
 */
export function RubricEditor({ sessionId, initial }: { sessionId: string; initial: RubricVersion }) {
  const { t } = useTranslation('rubrics');
  const id = useId();
  const [base, setBase] = useState(initial);
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [stale, setStale] = useState(false);
  const [historyKey, setHistoryKey] = useState(0);
  const axisPath = `/api/sessions/${encodeURIComponent(sessionId)}/rubrics/${encodeURIComponent(initial.axisId)}`;

  const blank =
    draft.prompt.trim() === ''
      ? t('editor.needPrompt')
      : draft.levels.some((l) => l.trim() === '')
        ? t('editor.needLevels')
        : null;

  const save = async () => {
    try {
      const saved = await api<RubricVersion>(axisPath, {
        method: 'PUT',
        token: getToken(),
        body: {
          prompt: draft.prompt,
          levels: draft.levels.map((description, i) => ({ score: i + 1, description })),
          examples: draft.examples.map((e) => ({
            interactionId: e.interactionId,
            messageIndex: e.messageIndex,
            score: e.score,
            reason: e.reason,
          })),
          baseVersion: base.version,
        },
      });
      setBase(saved);
      setDraft(draftOf(saved));
      setStale(false);
      setHistoryKey((k) => k + 1);
      setMessage({ ok: true, text: t('editor.saved', { version: saved.version }) });
    } catch (error) {
      const conflict = error instanceof ApiError && error.status === 409;
      setStale(conflict);
      setMessage({ ok: false, text: conflict ? t('editor.conflict') : errorText(error) });
    }
  };

  const reload = async () => {
    try {
      const { versions } = await api<{ versions: RubricVersion[] }>(`${axisPath}/versions`, { token: getToken() });
      const latest = versions.at(-1);
      if (!latest) return;
      setBase(latest);
      setDraft(draftOf(latest));
      setStale(false);
      setHistoryKey((k) => k + 1);
      setMessage({ ok: true, text: t('editor.reloaded', { version: latest.version }) });
    } catch (error) {
      setMessage({ ok: false, text: errorText(error) });
    }
  };

  return (
    <section className="card rubric-editor" aria-labelledby={`${id}-title`} data-testid={`rubric-${initial.axisId}`}>
      <h2 id={`${id}-title`}>{base.rubric.name}</h2>
      <p className="rubric-definition">
        <span className="example-part">{t('editor.definition')}</span> {base.rubric.definition}
      </p>
      <p className="rubric-version" data-testid="rubric-version">
        {t('editor.version', { version: base.version })} ·{' '}
        {base.editedBy === 'built' ? t('editor.built') : t('editor.editedBy', { who: base.editedBy })}
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <label htmlFor={`${id}-prompt`}>{t('editor.prompt')}</label>
        <textarea
          id={`${id}-prompt`}
          rows={8}
          value={draft.prompt}
          onChange={(event) => setDraft({ ...draft, prompt: event.target.value })}
        />
        <fieldset className="rubric-levels">
          <legend>{t('editor.levels')}</legend>
          {[4, 3, 2, 1, 0].map((i) => (
            <div key={i} className="rubric-level">
              <label htmlFor={`${id}-level-${i + 1}`}>{t('editor.level', { score: i + 1 })}</label>
              <textarea
                id={`${id}-level-${i + 1}`}
                rows={2}
                value={draft.levels[i] ?? ''}
                onChange={(event) =>
                  setDraft({ ...draft, levels: draft.levels.map((l, j) => (j === i ? event.target.value : l)) })
                }
              />
            </div>
          ))}
        </fieldset>
        <fieldset className="rubric-examples">
          <legend>{t('editor.examples')}</legend>
          {draft.examples.length === 0 && <p className="hint">{t('editor.noExamples')}</p>}
          <ol>
            {draft.examples.map((example, i) => (
              <li key={`${example.interactionId}#${example.messageIndex}`} className="rubric-example">
                <p className="rubric-example-score">{t('editor.exampleScore', { score: example.score })}</p>
                {example.prompt && (
                  <p className="rubric-quote">
                    <span className="example-part">{t('editor.question')}</span> {example.prompt}
                  </p>
                )}
                <p className="rubric-quote">
                  <span className="example-part">{t('editor.answer')}</span> {example.response}
                </p>
                <p className="hint">{example.reason}</p>
                <div className="actions">
                  <button
                    type="button"
                    disabled={i === 0}
                    aria-label={t('editor.moveUp', { n: i + 1 })}
                    onClick={() => setDraft({ ...draft, examples: move(draft.examples, i, i - 1) })}
                  >
                    {t('editor.up')}
                  </button>
                  <button
                    type="button"
                    disabled={i === draft.examples.length - 1}
                    aria-label={t('editor.moveDown', { n: i + 1 })}
                    onClick={() => setDraft({ ...draft, examples: move(draft.examples, i, i + 1) })}
                  >
                    {t('editor.down')}
                  </button>
                  <button
                    type="button"
                    aria-label={t('editor.removeExample', { n: i + 1 })}
                    onClick={() => setDraft({ ...draft, examples: draft.examples.filter((_, j) => j !== i) })}
                  >
                    {t('editor.remove')}
                  </button>
                </div>
              </li>
            ))}
          </ol>
        </fieldset>
        <div className="actions">
          <ActionButton type="submit" disabledReason={blank} pendingLabel={t('editor.saving')} onClick={save}>
            {t('editor.save')}
          </ActionButton>
          {stale && (
            <ActionButton type="button" onClick={reload}>
              {t('editor.reload')}
            </ActionButton>
          )}
        </div>
        {message && (
          <p className={message.ok ? 'notice' : 'error'} role={message.ok ? 'status' : 'alert'}>
            {message.text}
          </p>
        )}
      </form>
      <RubricHistory key={historyKey} path={`${axisPath}/versions`} />
    </section>
  );
}
