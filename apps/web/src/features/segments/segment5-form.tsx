import { useEffect, useId, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import type { FinalAttribute } from '../../lib/contract';
import { FeedbackLine, useFeedback } from '../../lib/feedback';
import { RankList } from './rank-list';
import { finalsKey, rankingCovers, type Segment5Problem, segment5Problem, startingOrder } from './segment-rules';
import { SubmittedNote } from './submitted-note';
import './segments.css';

/** This participant's segment-5 submission as the server keeps it. */
export interface OwnSegment5 {
  likert: Record<string, number>;
  ranking: string[];
  submittedAt: string;
}

const scale = [1, 2, 3, 4, 5] as const;

/**
 * Segment 5: a question per final attribute ("How much do you agree with this definition of …?",
 * a labelled 5-point scale) and the participant's own ranking, which they must confirm: the list
 * starts in the moderator's order, and an untouched order is not theirs until they say so. The
 * confirmation is cleared whenever the list of final attributes changes. A reload starts from
 * what they submitted.
 */
export function Segment5Form({
  sessionId,
  token,
  open,
  finals,
  submitted,
  onSaved,
}: {
  sessionId: string;
  token: string;
  open: boolean;
  finals: FinalAttribute[];
  submitted: OwnSegment5 | null;
  onSaved?: () => void;
}) {
  const { t } = useTranslation('segments');
  const ids = finals.map((f) => f.id);
  const [likert, setLikert] = useState<Record<string, number>>(() => ({ ...(submitted?.likert ?? {}) }));
  const [order, setOrder] = useState<string[]>(() => startingOrder(ids, submitted?.ranking));
  const [confirmed, setConfirmed] = useState(() => rankingCovers(ids, submitted?.ranking));
  const [cleared, setCleared] = useState(false);
  const { feedback, attempt } = useFeedback();
  const confirmId = useId();

  // A changed list of finals makes an earlier confirmation meaningless: keep what still applies
  // of the order, and ask again.
  const key = finalsKey(finals);
  const lastKey = useRef(key);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for finals (a new array on every render)
  useEffect(() => {
    if (lastKey.current === key) return;
    lastKey.current = key;
    setOrder((prev) => startingOrder(ids, prev));
    setConfirmed((was) => {
      if (was) setCleared(true);
      return false;
    });
  }, [key]);

  const byId = new Map(finals.map((f) => [f.id, f]));
  const items = order.flatMap((id) => {
    const attribute = byId.get(id);
    return attribute ? [{ key: id, attribute }] : [];
  });
  const problem = segment5Problem(ids, likert, confirmed);
  const reason = (p: Segment5Problem) =>
    p.kind === 'rate' ? t('s5.problem.rate', { count: p.total }) : t(`s5.problem.${p.kind}`);
  const disabledReason = !open ? t('s5.problem.closed') : problem ? reason(problem) : null;

  const submit = async () => {
    const ranking = items.map((i) => i.key);
    const answers = Object.fromEntries(ids.map((id) => [id, likert[id] as number]));
    const saved = await attempt(
      () =>
        api(`/api/sessions/${encodeURIComponent(sessionId)}/segment5`, {
          method: 'PUT',
          token,
          body: { likert: answers, ranking },
        }),
      t('s5.saved'),
    );
    if (saved) onSaved?.();
  };

  return (
    <form className="card segment-form" aria-labelledby="segment5-title" onSubmit={(event) => event.preventDefault()}>
      <h2 id="segment5-title">{t('s5.title')}</h2>
      <p>{t('s5.intro')}</p>
      <SubmittedNote at={submitted?.submittedAt} open={open} />
      {finals.length === 0 && <p>{t('s5.noFinals')}</p>}
      {finals.map((attribute) => (
        <fieldset key={attribute.id} className="likert" disabled={!open} data-testid="likert-question">
          <legend>
            <Trans
              t={t}
              i18nKey="s5.question"
              values={{ name: attribute.name }}
              components={{ name: <bdi dir="auto" className="attribute-name" /> }}
            />
          </legend>
          <blockquote className="definition" dir="auto">
            {attribute.definition}
          </blockquote>
          <div className="likert-scale">
            {scale.map((value) => (
              <label key={value} className="likert-option">
                <input
                  type="radio"
                  name={`likert-${attribute.id}`}
                  value={value}
                  checked={likert[attribute.id] === value}
                  onChange={() => setLikert((prev) => ({ ...prev, [attribute.id]: value }))}
                />
                {t(`s5.scale.${value}`)}
              </label>
            ))}
          </div>
        </fieldset>
      ))}
      {finals.length > 0 && (
        <section className="ranking" aria-labelledby="segment5-ranking">
          <h3 id="segment5-ranking">{t('s5.rankTitle')}</h3>
          <p className="hint">{t('s5.rankIntro')}</p>
          <RankList
            label={t('s5.rankLabel')}
            items={items}
            disabled={!open}
            onChange={(next) => setOrder(next.map((i) => i.key))}
            render={(item) => <bdi dir="auto">{item.attribute.name}</bdi>}
          />
          <label className="check confirm-ranking" htmlFor={confirmId}>
            <input
              id={confirmId}
              type="checkbox"
              checked={confirmed}
              disabled={!open}
              onChange={(e) => {
                setConfirmed(e.target.checked);
                setCleared(false);
              }}
            />
            {t('s5.confirm')}
          </label>
          {cleared && (
            <p className="notice" role="status">
              {t('s5.confirmCleared')}
            </p>
          )}
        </section>
      )}
      <div className="actions">
        <ActionButton type="submit" disabledReason={disabledReason} pendingLabel={t('s5.saving')} onClick={submit}>
          {t('s5.submit')}
        </ActionButton>
      </div>
      <FeedbackLine feedback={feedback} />
    </form>
  );
}
