import type { StudyOrientation, StudyOrientationResponse } from '@calma/protocol';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { SignInFirst } from '../home/remembered-sign-ins';
import './journey.css';

/** Lines of a textarea as a list (trimmed, blanks dropped). */
const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** An id not yet used among `ids`: `prefix-1`, `prefix-2`, … */
const freshId = (prefix: string, ids: string[]) => {
  let n = ids.length + 1;
  while (ids.includes(`${prefix}-${n}`)) n += 1;
  return `${prefix}-${n}`;
};

/** The editor's copy: options and reference labels as text, one per line, so typing is free. */
interface Draft {
  pages: StudyOrientation['pages'];
  practice: { id: string; prompt: string; response: string; labels: string }[];
  questions: { id: string; text: string; options: string; correct: number }[];
  passMark: number;
  required: boolean;
}

const toDraft = (o: StudyOrientation): Draft => ({
  pages: o.pages,
  practice: o.practice.map((p) => ({
    id: p.id,
    prompt: p.prompt,
    response: p.response,
    labels: p.referenceLabels.join('\n'),
  })),
  questions: o.check.questions.map((q) => ({
    id: q.id,
    text: q.text,
    options: q.options.join('\n'),
    correct: q.correct,
  })),
  passMark: o.check.passMark,
  required: o.required,
});

const fromDraft = (d: Draft): StudyOrientation => ({
  pages: d.pages,
  practice: d.practice.map((p) => ({
    id: p.id,
    prompt: p.prompt,
    response: p.response,
    referenceLabels: lines(p.labels),
  })),
  check: {
    questions: d.questions.map((q) => ({ id: q.id, text: q.text, options: lines(q.options), correct: q.correct })),
    passMark: d.passMark,
  },
  required: d.required,
});

/**
 * The study owner's orientation editor (`/studies/:studyId/orientation`, admin): the pages in
 * Markdown, the practice responses with their reference labels, the check's questions with the
 * right option, the pass mark, and whether the check is required before Interact. The server
 * refuses an impossible check (400) and the editor shows why.
 */
export function OrientationEditorPage({ studyId }: { studyId: string }) {
  const { t } = useTranslation('journey');
  const token = useToken();
  const url = `/api/studies/${encodeURIComponent(studyId)}/orientation`;
  const loaded = useApiQuery<StudyOrientationResponse>(token ? url : null, token);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [isDefault, setIsDefault] = useState(true);
  const [status, setStatus] = useState<{ kind: 'saved' | 'error'; text: string } | null>(null);

  useEffect(() => {
    if (loaded.status !== 'success') return;
    const { isDefault: shipped, ...orientation } = loaded.data;
    setDraft(toDraft(orientation));
    setIsDefault(shipped);
  }, [loaded]);

  if (!token) return <SignInFirst refused={null} />;
  if (loaded.status === 'error')
    return (
      <section className="card" aria-labelledby="editor-title">
        <h1 id="editor-title">{t('editor.title')}</h1>
        <p className="error" role="alert">
          {errorText(loaded.error)}
        </p>
      </section>
    );
  if (!draft)
    return (
      <p className="status" aria-live="polite">
        {t('loading')}
      </p>
    );

  const change = (patch: Partial<Draft>) => {
    setDraft({ ...draft, ...patch });
    setStatus(null);
  };
  const save = async () => {
    try {
      const saved = await api<StudyOrientation>(url, { method: 'PUT', token, body: fromDraft(draft) });
      setDraft(toDraft(saved));
      setIsDefault(false);
      setStatus({ kind: 'saved', text: t('editor.saved') });
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    }
  };

  return (
    <section className="card journey journey-editor" aria-labelledby="editor-title">
      <nav className="journey-nav" aria-label={t('nav.label')}>
        <Link href={`/studies/${encodeURIComponent(studyId)}`}>{t('editor.back')}</Link>
      </nav>
      <h1 id="editor-title">{t('editor.title')}</h1>
      {isDefault && <p className="notice">{t('editor.isDefault')}</p>}

      <h2>{t('editor.check')}</h2>
      <label className="checkbox">
        <input type="checkbox" checked={draft.required} onChange={(e) => change({ required: e.target.checked })} />
        <span>{t('editor.required')}</span>
      </label>
      <div className="field">
        <label htmlFor="editor-pass-mark">{t('editor.passMark', { count: draft.questions.length })}</label>
        <input
          id="editor-pass-mark"
          type="number"
          min={0}
          max={draft.questions.length}
          value={draft.passMark}
          onChange={(e) => change({ passMark: Math.max(0, Math.trunc(Number(e.target.value) || 0)) })}
        />
      </div>
      {draft.questions.map((q, i) => {
        const options = lines(q.options);
        const set = (patch: Partial<Draft['questions'][number]>) =>
          change({ questions: draft.questions.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
        return (
          <fieldset key={q.id} className="journey-question">
            <legend>{t('check.question', { number: i + 1 })}</legend>
            <div className="field">
              <label htmlFor={`q-text-${i}`}>{t('editor.questionText')}</label>
              <input id={`q-text-${i}`} dir="auto" value={q.text} onChange={(e) => set({ text: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`q-options-${i}`}>{t('editor.options')}</label>
              <textarea
                id={`q-options-${i}`}
                dir="auto"
                rows={3}
                value={q.options}
                onChange={(e) => set({ options: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`q-correct-${i}`}>{t('editor.correct')}</label>
              <select
                id={`q-correct-${i}`}
                value={q.correct}
                onChange={(e) => set({ correct: Number(e.target.value) })}
              >
                {options.map((option, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the option's index is what is stored
                  <option key={j} value={j}>
                    {option}
                  </option>
                ))}
              </select>
            </div>
            <button
              type="button"
              className="secondary"
              onClick={() => change({ questions: draft.questions.filter((_, j) => j !== i) })}
            >
              {t('editor.removeQuestion', { number: i + 1 })}
            </button>
          </fieldset>
        );
      })}
      <p>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            change({
              questions: [
                ...draft.questions,
                {
                  id: freshId(
                    'q',
                    draft.questions.map((q) => q.id),
                  ),
                  text: '',
                  options: '',
                  correct: 0,
                },
              ],
            })
          }
        >
          {t('editor.addQuestion')}
        </button>
      </p>

      <h2>{t('editor.pages')}</h2>
      {draft.pages.map((page, i) => {
        const set = (patch: Partial<Draft['pages'][number]>) =>
          change({ pages: draft.pages.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: pages have no id; their order is their identity
          <fieldset key={i} className="journey-question">
            <legend>{t('orientation.pageOf', { number: i + 1, count: draft.pages.length })}</legend>
            <div className="field">
              <label htmlFor={`page-title-${i}`}>{t('editor.pageTitle')}</label>
              <input
                id={`page-title-${i}`}
                dir="auto"
                value={page.title}
                onChange={(e) => set({ title: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`page-markdown-${i}`}>{t('editor.markdown')}</label>
              <textarea
                id={`page-markdown-${i}`}
                dir="auto"
                rows={8}
                value={page.markdown}
                onChange={(e) => set({ markdown: e.target.value })}
              />
            </div>
            <button
              type="button"
              className="secondary"
              onClick={() => change({ pages: draft.pages.filter((_, j) => j !== i) })}
            >
              {t('editor.removePage', { number: i + 1 })}
            </button>
          </fieldset>
        );
      })}
      <p>
        <button
          type="button"
          className="secondary"
          onClick={() => change({ pages: [...draft.pages, { title: '', markdown: '' }] })}
        >
          {t('editor.addPage')}
        </button>
      </p>

      <h2>{t('editor.practice')}</h2>
      {draft.practice.map((item, i) => {
        const set = (patch: Partial<Draft['practice'][number]>) =>
          change({ practice: draft.practice.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
        return (
          <fieldset key={item.id} className="journey-question">
            <legend>{t('practice.item', { number: i + 1 })}</legend>
            <div className="field">
              <label htmlFor={`practice-prompt-${i}`}>{t('editor.prompt')}</label>
              <input
                id={`practice-prompt-${i}`}
                dir="auto"
                value={item.prompt}
                onChange={(e) => set({ prompt: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`practice-response-${i}`}>{t('editor.response')}</label>
              <textarea
                id={`practice-response-${i}`}
                dir="auto"
                rows={4}
                value={item.response}
                onChange={(e) => set({ response: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`practice-reference-${i}`}>{t('editor.referenceLabels')}</label>
              <textarea
                id={`practice-reference-${i}`}
                dir="auto"
                rows={3}
                value={item.labels}
                onChange={(e) => set({ labels: e.target.value })}
              />
            </div>
            <button
              type="button"
              className="secondary"
              onClick={() => change({ practice: draft.practice.filter((_, j) => j !== i) })}
            >
              {t('editor.removePractice', { number: i + 1 })}
            </button>
          </fieldset>
        );
      })}
      <p>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            change({
              practice: [
                ...draft.practice,
                {
                  id: freshId(
                    'practice',
                    draft.practice.map((p) => p.id),
                  ),
                  prompt: '',
                  response: '',
                  labels: '',
                },
              ],
            })
          }
        >
          {t('editor.addPractice')}
        </button>
      </p>

      <div className="actions journey-editor-save">
        <ActionButton onClick={save} pendingLabel={t('editor.saving')}>
          {t('editor.save')}
        </ActionButton>
      </div>
      {status && (
        <p className={status.kind === 'saved' ? 'notice' : 'error'} role={status.kind === 'saved' ? 'status' : 'alert'}>
          {status.text}
        </p>
      )}
    </section>
  );
}
