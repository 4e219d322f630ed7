import type { AbChoice, AbItem, AbResults, AbRound, AbRoundList } from '@calma/protocol';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { useApiQuery } from '../../lib/use-api-query';
import { AbResultsChart } from './results-chart';
import { useReloadable } from './use-ab-data';

/**
 * A participant in the group's A/B round: ask for an item (a prompt of their own, or one from the
 * baseline set), read the two answers as "Answer 1" and "Answer 2", choose per axis, repeat. Once
 * the round is closed, its results.
 */
export function ParticipantRound({ groupId, token }: { groupId: string; token: string }) {
  const { t } = useTranslation('ab');
  const base = `/api/groups/${encodeURIComponent(groupId)}/ab-rounds`;
  const [rounds, reload] = useReloadable<AbRoundList>(base, token);
  if (rounds.status === 'error') {
    return (
      <p className="error" role="alert">
        {errorText(rounds.error)}
      </p>
    );
  }
  if (rounds.status !== 'success') return <p className="status">{t('loading')}</p>;
  const [latest] = rounds.data.rounds;
  if (!latest) return <p className="hint">{t('participant.none')}</p>;
  if (latest.status === 'closed') return <ClosedRound base={base} round={latest} token={token} />;
  return <OpenRound key={latest.id} base={`${base}/${latest.id}`} round={latest} token={token} onVoted={reload} />;
}

function ClosedRound({ base, round, token }: { base: string; round: AbRound; token: string }) {
  const { t } = useTranslation('ab');
  const results = useApiQuery<AbResults>(`${base}/${round.id}/results`, token);
  return (
    <>
      <p className="hint">{t('participant.closed', { count: round.mine?.voted ?? 0 })}</p>
      {results.status === 'success' && <AbResultsChart results={results.data} />}
      {results.status === 'error' && (
        <p className="error" role="alert">
          {errorText(results.error)}
        </p>
      )}
    </>
  );
}

function OpenRound({
  base,
  round,
  token,
  onVoted,
}: {
  base: string;
  round: AbRound;
  token: string;
  onVoted: () => void;
}) {
  const { t } = useTranslation('ab');
  const [item, setItem] = useState<AbItem | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [prompt, setPrompt] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [thanks, setThanks] = useState(false);
  const promptId = useId();

  // An item asked for before a reload is still waiting for its vote: show it again.
  useEffect(() => {
    const controller = new AbortController();
    api<{ item: AbItem | null }>(`${base}/items/pending`, { token, signal: controller.signal }).then(
      (res) => {
        setItem(res.item);
        setLoaded(true);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setError(errorText(err));
        setLoaded(true);
      },
    );
    return () => controller.abort();
  }, [base, token]);

  const ask = async (own: string | null) => {
    setError(null);
    setThanks(false);
    try {
      const next = await api<AbItem>(`${base}/items`, {
        method: 'POST',
        token,
        body: own === null ? {} : { prompt: own },
      });
      setItem(next);
      setPrompt('');
    } catch (err) {
      setError(errorText(err));
    }
  };

  const ownAllowed = round.prompts !== 'baseline';
  const baselineAllowed = round.prompts !== 'own' && round.baselinePrompts > 0;
  return (
    <>
      <p className="hint">{t('participant.intro')}</p>
      <p className="hint" data-testid="ab-progress">
        {t('participant.progress', { count: round.mine?.voted ?? 0 })}
      </p>
      {thanks && (
        <p className="notice" role="status">
          {t('participant.thanks')}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!loaded && <p className="status">{t('loading')}</p>}
      {loaded && item === null && (
        <section className="ab-ask" aria-labelledby="ab-ask-title">
          <h2 id="ab-ask-title">{t('participant.askTitle')}</h2>
          {ownAllowed && (
            <form
              onSubmit={(event) => {
                event.preventDefault();
              }}
            >
              <label htmlFor={promptId}>{t('participant.promptLabel')}</label>
              <textarea
                id={promptId}
                dir="auto"
                rows={3}
                maxLength={4000}
                value={prompt}
                onChange={(event) => setPrompt(event.target.value)}
              />
              <div className="actions">
                <ActionButton
                  type="submit"
                  onClick={() => ask(prompt.trim())}
                  disabledReason={prompt.trim() === '' ? t('participant.promptEmpty') : null}
                  pendingLabel={t('participant.answering')}
                >
                  {t('participant.askOwn')}
                </ActionButton>
              </div>
            </form>
          )}
          {baselineAllowed && (
            <div className="actions">
              <ActionButton
                className={ownAllowed ? 'secondary' : undefined}
                onClick={() => ask(null)}
                pendingLabel={t('participant.answering')}
              >
                {t('participant.askBaseline')}
              </ActionButton>
            </div>
          )}
        </section>
      )}
      {item && (
        <ItemVote
          key={item.itemId}
          base={base}
          round={round}
          item={item}
          token={token}
          onDone={() => {
            setItem(null);
            setThanks(true);
            onVoted();
          }}
        />
      )}
    </>
  );
}

function ItemVote({
  base,
  round,
  item,
  token,
  onDone,
}: {
  base: string;
  round: AbRound;
  item: AbItem;
  token: string;
  onDone: () => void;
}) {
  const { t } = useTranslation('ab');
  const [votes, setVotes] = useState<Record<string, AbChoice>>({});
  const [error, setError] = useState<string | null>(null);
  const missing = round.axes.filter((a) => votes[a.id] === undefined).length;
  const submit = async () => {
    setError(null);
    try {
      await api(`${base}/items/${encodeURIComponent(item.itemId)}/votes`, { method: 'POST', token, body: { votes } });
      onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const choices: { value: AbChoice; label: string }[] = [
    { value: 'first', label: t('item.answer', { number: 1 }) },
    { value: 'second', label: t('item.answer', { number: 2 }) },
    { value: 'equal', label: t('item.equal') },
  ];
  return (
    <section className="ab-item" aria-labelledby="ab-item-title">
      <h2 id="ab-item-title">{t('item.title')}</h2>
      <p className="ab-prompt">
        <span className="ab-prompt-label">
          {item.source === 'baseline' ? t('item.baselinePrompt') : t('item.ownPrompt')}
        </span>{' '}
        <span dir="auto">{item.prompt}</span>
      </p>
      <div className="ab-answers">
        {(['first', 'second'] as const).map((which, i) => (
          <article key={which} className="ab-answer" aria-labelledby={`ab-answer-${which}`}>
            <h3 id={`ab-answer-${which}`}>{t('item.answer', { number: i + 1 })}</h3>
            <p dir="auto" data-testid={`ab-answer-${which}`}>
              {item.answers[which]}
            </p>
          </article>
        ))}
      </div>
      <form
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <p className="hint">{t('item.chooseHint')}</p>
        {round.axes.map((axis) => (
          <fieldset key={axis.id} className="ab-axis" aria-describedby={`ab-def-${axis.id}`}>
            <legend dir="auto">{axis.name}</legend>
            <p id={`ab-def-${axis.id}`} className="hint" dir="auto">
              {axis.definition}
            </p>
            <div className="ab-choices">
              {choices.map((choice) => (
                <label key={choice.value} className="checkbox">
                  <input
                    type="radio"
                    name={`axis-${axis.id}`}
                    value={choice.value}
                    checked={votes[axis.id] === choice.value}
                    onChange={() => setVotes((v) => ({ ...v, [axis.id]: choice.value }))}
                  />
                  <span>{choice.label}</span>
                </label>
              ))}
            </div>
          </fieldset>
        ))}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <ActionButton
            type="submit"
            onClick={submit}
            disabledReason={missing > 0 ? t('item.missing', { count: missing }) : null}
            pendingLabel={t('item.saving')}
          >
            {t('item.submit')}
          </ActionButton>
        </div>
      </form>
    </section>
  );
}
