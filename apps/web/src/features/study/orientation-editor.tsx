import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { SaveOutcome } from './save-outcome';
import type { CheckQuestion, StudyOrientation } from './types';
import { useSave } from './use-save';

/** A question as the form holds it: options one per line, so an owner can paste a list. */
interface QuestionDraft {
  key: number;
  id: string;
  text: string;
  options: string;
  correct: number;
}

let nextKey = 1;

const toDraft = (q: CheckQuestion): QuestionDraft => ({
  key: nextKey++,
  id: q.id,
  text: q.text,
  options: q.options.join('\n'),
  correct: q.correct,
});

const optionsOf = (d: QuestionDraft) => d.options.split('\n').filter((o) => o.trim() !== '');

const fromDraft = (d: QuestionDraft): CheckQuestion => ({
  id: d.id,
  text: d.text.trim(),
  options: optionsOf(d).map((o) => o.trim()),
  correct: d.correct,
});

/** A question id not yet used in this check. */
const freshId = (taken: string[]) => {
  let n = taken.length + 1;
  while (taken.includes(`q${n}`)) n += 1;
  return `q${n}`;
};

/**
 * The study's orientation: pages (Markdown), the comprehension check's questions with their
 * correct options and pass mark, and whether passing it is required before Interact. The practice
 * items are kept as the server has them.
 */
export function OrientationEditor({ path, token }: { path: string; token: string | null }) {
  const { t } = useTranslation('study');
  const [loaded, setLoaded] = useState<StudyOrientation | null>(null);
  const [pages, setPages] = useState<{ key: number; title: string; markdown: string }[]>([]);
  const [questions, setQuestions] = useState<QuestionDraft[]>([]);
  const [passMark, setPassMark] = useState('0');
  const [required, setRequired] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const save = useSave();

  const show = useCallback((o: StudyOrientation) => {
    setLoaded(o);
    setPages(o.pages.map((p) => ({ key: nextKey++, ...p })));
    setQuestions(o.check.questions.map(toDraft));
    setPassMark(String(o.check.passMark));
    setRequired(o.required);
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    api<StudyOrientation>(path, { token, signal: controller.signal }).then(show, (error: unknown) => {
      if (!controller.signal.aborted) setLoadError(errorText(error));
    });
    return () => controller.abort();
  }, [path, token, show]);

  const heading = <h2 id="orientation-title">{t('orientation.title')}</h2>;
  if (loadError)
    return (
      <section aria-labelledby="orientation-title">
        {heading}
        <p className="error" role="alert">
          {loadError}
        </p>
      </section>
    );
  if (loaded === null)
    return (
      <section aria-labelledby="orientation-title">
        {heading}
        <p className="status">{t('loading')}</p>
      </section>
    );

  const editPage = (key: number, change: { title?: string; markdown?: string }) => {
    save.touched();
    setPages((all) => all.map((p) => (p.key === key ? { ...p, ...change } : p)));
  };
  const editQuestion = (key: number, change: Partial<QuestionDraft>) => {
    save.touched();
    setQuestions((all) => all.map((q) => (q.key === key ? { ...q, ...change } : q)));
  };
  const mark = Number(passMark);
  const invalid =
    passMark === '' || !Number.isInteger(mark) || mark < 0
      ? t('orientation.passMarkWhole')
      : mark > questions.length
        ? t('orientation.passMarkTooHigh', { count: questions.length })
        : null;

  return (
    <section aria-labelledby="orientation-title">
      {heading}
      <p className="hint">{t('orientation.intro')}</p>
      <form onSubmit={(e) => e.preventDefault()}>
        <h3>{t('orientation.pages')}</h3>
        {pages.map((p, i) => (
          <fieldset key={p.key} className="orientation-item" data-testid="orientation-page">
            <legend>{t('orientation.pageLegend', { number: i + 1 })}</legend>
            <PageFields
              title={p.title}
              markdown={p.markdown}
              onChange={(change) => editPage(p.key, change)}
              onRemove={() => {
                save.touched();
                setPages(pages.filter((x) => x.key !== p.key));
              }}
              number={i + 1}
            />
          </fieldset>
        ))}
        <div className="actions">
          <button
            type="button"
            className="secondary"
            onClick={() => {
              save.touched();
              setPages([...pages, { key: nextKey++, title: '', markdown: '' }]);
            }}
          >
            {t('orientation.addPage')}
          </button>
        </div>

        <h3>{t('orientation.check')}</h3>
        {questions.map((q, i) => (
          <fieldset key={q.key} className="orientation-item" data-testid="check-question">
            <legend>{t('orientation.questionLegend', { number: i + 1 })}</legend>
            <QuestionFields
              draft={q}
              number={i + 1}
              onChange={(change) => editQuestion(q.key, change)}
              onRemove={() => {
                save.touched();
                setQuestions(questions.filter((x) => x.key !== q.key));
              }}
            />
          </fieldset>
        ))}
        <div className="actions">
          <button
            type="button"
            className="secondary"
            onClick={() => {
              save.touched();
              const id = freshId(questions.map((q) => q.id));
              setQuestions([...questions, { key: nextKey++, id, text: '', options: '', correct: 0 }]);
            }}
          >
            {t('orientation.addQuestion')}
          </button>
        </div>
        <div className="field">
          <label htmlFor="pass-mark">{t('orientation.passMark')}</label>
          <input
            id="pass-mark"
            type="number"
            min={0}
            inputMode="numeric"
            value={passMark}
            onChange={(e) => {
              save.touched();
              setPassMark(e.target.value);
            }}
          />
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={required}
            onChange={(e) => {
              save.touched();
              setRequired(e.target.checked);
            }}
          />{' '}
          {t('orientation.required')}
        </label>
        <ActionButton
          type="submit"
          disabledReason={invalid}
          onClick={() =>
            save.run(async () => {
              const body: StudyOrientation = {
                pages: pages.map(({ title, markdown }) => ({ title: title.trim(), markdown })),
                practice: loaded.practice,
                check: { questions: questions.map(fromDraft), passMark: mark },
                required,
              };
              show(await api<StudyOrientation>(path, { method: 'PUT', token, body }));
            })
          }
        >
          {t('orientation.save')}
        </ActionButton>
        <SaveOutcome state={save.state} testId="orientation-outcome" />
      </form>
    </section>
  );
}

function PageFields(props: {
  title: string;
  markdown: string;
  number: number;
  onChange: (change: { title?: string; markdown?: string }) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation('study');
  const id = useId();
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-title`}>{t('orientation.pageTitle')}</label>
        <input
          id={`${id}-title`}
          dir="auto"
          value={props.title}
          onChange={(e) => props.onChange({ title: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-md`}>{t('orientation.markdown')}</label>
        <textarea
          id={`${id}-md`}
          dir="auto"
          rows={8}
          value={props.markdown}
          onChange={(e) => props.onChange({ markdown: e.target.value })}
        />
      </div>
      <button type="button" className="secondary" onClick={props.onRemove}>
        {t('orientation.removePage', { number: props.number })}
      </button>
    </>
  );
}

function QuestionFields(props: {
  draft: QuestionDraft;
  number: number;
  onChange: (change: Partial<QuestionDraft>) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation('study');
  const id = useId();
  const options = optionsOf(props.draft);
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-text`}>{t('orientation.questionText')}</label>
        <input
          id={`${id}-text`}
          dir="auto"
          value={props.draft.text}
          onChange={(e) => props.onChange({ text: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-options`}>{t('orientation.options')}</label>
        <textarea
          id={`${id}-options`}
          dir="auto"
          rows={4}
          value={props.draft.options}
          onChange={(e) => props.onChange({ options: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-correct`}>{t('orientation.correct')}</label>
        <select
          id={`${id}-correct`}
          value={props.draft.correct}
          onChange={(e) => props.onChange({ correct: Number(e.target.value) })}
        >
          {options.length === 0 && <option value={0}>{t('orientation.noOptions')}</option>}
          {options.map((o, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: options are identified by their position
            <option key={i} value={i}>
              {`${i + 1}. ${o}`}
            </option>
          ))}
        </select>
      </div>
      <button type="button" className="secondary" onClick={props.onRemove}>
        {t('orientation.removeQuestion', { number: props.number })}
      </button>
    </>
  );
}
