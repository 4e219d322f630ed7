import type { CheckResponse } from '@calma/protocol';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { SignInFirst } from '../home/remembered-sign-ins';
import { groupApi, journeyPaths, useOrientation } from './journey-data';
import './journey.css';
import { NotReady } from './not-ready';

/**
 * The comprehension check: answer every question, see the score; below the pass mark, try again
 * (every attempt is recorded); passing opens Interact.
 */
export function CheckPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('journey');
  const token = useToken();
  const orientation = useOrientation(groupId, token);
  const [answers, setAnswers] = useState<Record<string, number>>({});
  const [result, setResult] = useState<CheckResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const paths = journeyPaths(groupId);

  if (!token) return <SignInFirst refused={null} />;
  if (orientation.status !== 'success')
    return <NotReady state={orientation} titleId="check-title" title={t('check.title')} />;

  const { questions, passMark } = orientation.data.check;
  const unanswered = questions.filter((q) => answers[q.id] === undefined).length;
  const submit = async () => {
    setError(null);
    try {
      setResult(await api<CheckResponse>(groupApi(groupId, 'check'), { method: 'POST', token, body: { answers } }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const retry = () => {
    setResult(null);
    setAnswers({});
    window.scrollTo(0, 0);
  };
  const locked = result !== null;

  return (
    <section className="card journey" aria-labelledby="check-title">
      <nav className="journey-nav" aria-label={t('nav.label')}>
        <Link href={paths.journey}>{t('nav.journey')}</Link>
      </nav>
      <h1 id="check-title">{t('check.title')}</h1>
      <p>{t('check.intro', { passMark, count: questions.length })}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        {questions.map((q, i) => (
          <fieldset key={q.id} className="journey-question" disabled={locked}>
            <legend>
              <span className="journey-question-number">{t('check.question', { number: i + 1 })}</span>{' '}
              <span dir="auto">{q.text}</span>
            </legend>
            {q.options.map((option, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: an option is its index (the answer sent), never reordered
              <label key={`${q.id}-${j}`} className="checkbox">
                <input
                  type="radio"
                  name={`question-${q.id}`}
                  checked={answers[q.id] === j}
                  onChange={() => setAnswers((a) => ({ ...a, [q.id]: j }))}
                />
                <span dir="auto">{option}</span>
              </label>
            ))}
          </fieldset>
        ))}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {!locked && (
          <div className="actions">
            <ActionButton
              type="submit"
              onClick={submit}
              disabledReason={unanswered > 0 ? t('check.unanswered', { count: unanswered }) : null}
              pendingLabel={t('check.checking')}
            >
              {t('check.submit')}
            </ActionButton>
          </div>
        )}
      </form>
      {result && (
        <div
          className={result.passed ? 'notice journey-passed' : 'error journey-failed'}
          role="status"
          data-testid="check-result"
        >
          <p>
            <strong>{t('check.score', { score: result.score, count: result.total })}</strong>{' '}
            {result.passed ? t('check.passed') : t('check.failed', { passMark: result.passMark })}
          </p>
          {result.passed ? (
            <p className="actions">
              <Link className="journey-button" href={paths.chat}>
                {t('check.toChat')}
              </Link>
              <Link href={paths.journey}>{t('check.toJourney')}</Link>
            </p>
          ) : (
            <button type="button" onClick={retry}>
              {t('check.retry')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
