import type { ComparisonAxis, ComparisonPair } from '@calma/protocol';
import type { TFunction } from 'i18next';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import type { Decide } from './comparison-page';

type Names = { groupName: Map<string, string>; definitions: Map<string, string> };

/** One axis: its name, its group, and its definition (people's text: any script, `dir="auto"`). */
function AxisCell({ axis, groupName, definitions }: { axis: ComparisonAxis } & Names) {
  const definition = definitions.get(axis.attributeId);
  return (
    <div className="comparison-axis">
      <strong dir="auto">{axis.name}</strong>
      <span className="hint comparison-group-name" dir="auto">
        {groupName.get(axis.groupId) ?? axis.groupId}
      </span>
      {definition && (
        <span className="comparison-definition" dir="auto">
          {definition}
        </span>
      )}
    </div>
  );
}

/** Who decided, in words. */
function whoDecided(t: TFunction<'comparison'>, by: string, groupName: Map<string, string>): string {
  const groupId = by.startsWith('analyst:') ? by.slice('analyst:'.length) : null;
  if (by === 'admin') return t('pair.admin');
  return groupId ? t('pair.analyst', { group: groupName.get(groupId) ?? groupId }) : by;
}

function DecidedBy({ by, groupName }: { by: string; groupName: Map<string, string> }) {
  const { t } = useTranslation('comparison');
  return (
    <span className="badge comparison-confirmed">{t('pair.confirmedBy', { who: whoDecided(t, by, groupName) })}</span>
  );
}

/** A suggested or confirmed pair with its controls: confirm (as shared or near), break, undo. */
export function PairRow({ pair, decide, ...names }: { pair: ComparisonPair; decide: Decide } & Names) {
  const { t } = useTranslation('comparison');
  const ids = { a: pair.a.attributeId, b: pair.b.attributeId };
  const label = t('pair.label', { a: pair.a.name, b: pair.b.name });
  return (
    <li className={`comparison-pair${pair.confirmed ? ' confirmed' : ''}`} aria-label={label}>
      <div className="comparison-sides">
        <AxisCell axis={pair.a} {...names} />
        <span className="comparison-link" aria-hidden="true">
          ↔
        </span>
        <AxisCell axis={pair.b} {...names} />
      </div>
      <p className="comparison-meta">
        <span className="badge">{t(`kind.${pair.kind}`)}</span>{' '}
        {t('pair.similarity', { value: Math.round(pair.similarity * 100) })}{' '}
        {pair.confirmed && pair.decidedBy ? (
          <DecidedBy by={pair.decidedBy} groupName={names.groupName} />
        ) : (
          <span className="hint">{t('pair.suggested')}</span>
        )}
      </p>
      <fieldset className="actions wrap comparison-actions">
        <legend className="visually-hidden">{t('pair.actions', { a: pair.a.name, b: pair.b.name })}</legend>
        {!pair.confirmed && (
          <ActionButton
            pendingLabel={t('pair.pending')}
            onClick={() => decide(ids, { status: 'confirmed', kind: pair.kind })}
          >
            {t(pair.kind === 'shared' ? 'pair.confirm' : 'pair.confirmNear')}
          </ActionButton>
        )}
        {pair.kind === 'near' && (
          <ActionButton
            className="secondary"
            pendingLabel={t('pair.pending')}
            onClick={() => decide(ids, { status: 'confirmed', kind: 'shared' })}
          >
            {t('pair.makeShared')}
          </ActionButton>
        )}
        <ActionButton
          className="secondary"
          pendingLabel={t('pair.pending')}
          onClick={() => decide(ids, { status: 'broken', kind: pair.kind })}
        >
          {t('pair.break')}
        </ActionButton>
        {pair.confirmed && (
          <ActionButton className="secondary" pendingLabel={t('pair.pending')} onClick={() => decide(ids, null)}>
            {t('pair.undo')}
          </ActionButton>
        )}
      </fieldset>
    </li>
  );
}

/** An axis only one group has, with "pair with" another group's axis. */
export function UniqueRow({
  axis,
  others,
  decide,
  ...names
}: {
  axis: ComparisonAxis;
  others: { attributeId: string; name: string; groupId: string }[];
  decide: Decide;
} & Names) {
  const { t } = useTranslation('comparison');
  const selectId = useId();
  const [target, setTarget] = useState('');
  return (
    <li className="comparison-pair">
      <AxisCell axis={axis} {...names} />
      {others.length > 0 && (
        <div className="actions wrap comparison-pair-with">
          <label htmlFor={selectId}>{t('unique.pairWith', { name: axis.name })}</label>
          <select id={selectId} value={target} onChange={(event) => setTarget(event.target.value)}>
            <option value="">{t('unique.choose')}</option>
            {others.map((o) => (
              <option key={o.attributeId} value={o.attributeId}>
                {t('unique.option', { name: o.name, group: names.groupName.get(o.groupId) ?? o.groupId })}
              </option>
            ))}
          </select>
          <ActionButton
            pendingLabel={t('pair.pending')}
            disabledReason={target === '' ? t('unique.chooseFirst') : null}
            onClick={() => decide({ a: axis.attributeId, b: target }, { status: 'confirmed', kind: 'shared' })}
          >
            {t('unique.pair')}
          </ActionButton>
        </div>
      )}
    </li>
  );
}

/** A pair an analyst broke, with the way back: withdrawing the decision. */
export function BrokenRow({
  pair,
  decide,
  ...names
}: { pair: { a: ComparisonAxis; b: ComparisonAxis; decidedBy: string }; decide: Decide } & Names) {
  const { t } = useTranslation('comparison');
  return (
    <li className="comparison-pair" aria-label={t('pair.label', { a: pair.a.name, b: pair.b.name })}>
      <p>
        <strong dir="auto">{pair.a.name}</strong> ↔ <strong dir="auto">{pair.b.name}</strong>{' '}
        <span className="hint">{t('broken.by', { who: whoDecided(t, pair.decidedBy, names.groupName) })}</span>
      </p>
      <ActionButton
        className="secondary"
        pendingLabel={t('pair.pending')}
        onClick={() => decide({ a: pair.a.attributeId, b: pair.b.attributeId }, null)}
      >
        {t('pair.undo')}
      </ActionButton>
    </li>
  );
}
