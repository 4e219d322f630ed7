import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { FeedbackLine, useFeedback } from '../../lib/feedback';
import { RankList } from './rank-list';
import { attributeRows, filledAttributes, type Segment1Problem, segment1Problem } from './segment-rules';
import { SubmittedNote } from './submitted-note';
import './segments.css';

/** This participant's segment-1 submission as the server keeps it. */
export interface OwnSegment1 {
  attributes: { name: string; definition: string }[];
  submittedAt: string;
}

/**
 * Segment 1: a participant names and defines up to three attributes, best first (private). The
 * form starts from what they already submitted, so a reload never shows it empty.
 */
export function Segment1Form({
  sessionId,
  token,
  open,
  submitted,
  onSaved,
}: {
  sessionId: string;
  token: string;
  open: boolean;
  submitted: OwnSegment1 | null;
  onSaved?: () => void;
}) {
  const { t } = useTranslation('segments');
  const [items, setItems] = useState(() => attributeRows(submitted?.attributes));
  const { feedback, attempt } = useFeedback();
  const update = (key: string, field: 'name' | 'definition', value: string) =>
    setItems((prev) => prev.map((item) => (item.key === key ? { ...item, [field]: value } : item)));
  const problem = segment1Problem(items);
  const reason = (p: Segment1Problem) =>
    p.kind === 'empty'
      ? t('s1.problem.empty')
      : p.kind === 'duplicate'
        ? t('s1.problem.duplicate', { name: p.name })
        : t(`s1.problem.${p.kind}`, { n: p.n });
  const disabledReason = !open ? t('s1.problem.closed') : problem ? reason(problem) : null;

  const submit = async () => {
    const attributes = filledAttributes(items);
    const saved = await attempt(
      () =>
        api(`/api/sessions/${encodeURIComponent(sessionId)}/segment1`, { method: 'PUT', token, body: { attributes } }),
      t('s1.saved', { count: attributes.length }),
    );
    if (saved) onSaved?.();
  };

  return (
    <form
      className="card segment-form"
      aria-labelledby="segment1-title"
      onSubmit={(event) => {
        event.preventDefault();
      }}
    >
      <h2 id="segment1-title">{t('s1.title')}</h2>
      <p>{t('s1.intro')}</p>
      <SubmittedNote at={submitted?.submittedAt} open={open} />
      <RankList
        label={t('s1.listLabel')}
        items={items}
        onChange={setItems}
        disabled={!open}
        render={(item, index) => (
          <div className="attribute-fields">
            <label>
              {t('s1.attribute', { n: index + 1 })}
              <input
                dir="auto"
                value={item.name}
                onChange={(e) => update(item.key, 'name', e.target.value)}
                maxLength={200}
                disabled={!open}
              />
            </label>
            <label>
              {t('s1.definition')}
              <textarea
                dir="auto"
                value={item.definition}
                onChange={(e) => update(item.key, 'definition', e.target.value)}
                rows={2}
                maxLength={2000}
                disabled={!open}
              />
            </label>
          </div>
        )}
      />
      <div className="actions">
        <ActionButton type="submit" disabledReason={disabledReason} pendingLabel={t('s1.saving')} onClick={submit}>
          {t('s1.submit')}
        </ActionButton>
      </div>
      <FeedbackLine feedback={feedback} />
    </form>
  );
}
