import type { AttributeExample } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { type CodedTurn, exampleId } from './codes';

type Polarity = AttributeExample['polarity'];

/**
 * Example turns of an attribute, chosen from the turns the person coded: each is a positive
 * example, a negative one, or none. The chosen ones are listed first, with a short excerpt.
 */
export function ExamplesField({
  examples,
  turns,
  onChange,
}: {
  examples: AttributeExample[];
  turns: CodedTurn[];
  onChange: (examples: AttributeExample[]) => void;
}) {
  const { t } = useTranslation('attributes');
  const polarityOf = new Map(examples.map((e) => [exampleId(e), e.polarity]));
  const excerptOf = new Map(turns.map((turn) => [exampleId(turn), turn.excerpt]));
  const choose = (turn: CodedTurn, polarity: Polarity | '') => {
    const rest = examples.filter((e) => exampleId(e) !== exampleId(turn));
    onChange(
      polarity === ''
        ? rest
        : [...rest, { interactionId: turn.interactionId, messageIndex: turn.messageIndex, polarity }],
    );
  };
  const listed = (polarity: Polarity) => examples.filter((e) => e.polarity === polarity);

  return (
    <fieldset className="editor-examples">
      <legend>{t('examples.title')}</legend>
      {(['positive', 'negative'] as const).map((polarity) => (
        <div key={polarity} className={`example-group ${polarity}`}>
          <h3>{t(`examples.${polarity}`, { count: listed(polarity).length })}</h3>
          {listed(polarity).length === 0 ? (
            <p className="hint">{t('examples.noneYet')}</p>
          ) : (
            <ul className="example-list" data-testid={`examples-${polarity}`}>
              {listed(polarity).map((e) => (
                <li key={exampleId(e)}>
                  <span dir="auto">{excerptOf.get(exampleId(e)) ?? t('examples.unavailable')}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
      <details className="example-chooser">
        <summary>{t('examples.choose', { count: turns.length })}</summary>
        {turns.length === 0 && <p className="hint">{t('examples.noTurns')}</p>}
        <ol className="turn-list">
          {turns.map((turn, index) => {
            const id = `turn-${index}`;
            return (
              <li key={exampleId(turn)}>
                <p id={id} dir="auto" className="turn-excerpt">
                  {turn.excerpt ?? t('examples.unavailable')}
                </p>
                <select
                  aria-labelledby={`${id}-label ${id}`}
                  value={polarityOf.get(exampleId(turn)) ?? ''}
                  onChange={(e) => choose(turn, e.target.value as Polarity | '')}
                  disabled={turn.excerpt === null && !polarityOf.has(exampleId(turn))}
                >
                  <option value="">{t('examples.notExample')}</option>
                  <option value="positive">{t('examples.asPositive')}</option>
                  <option value="negative">{t('examples.asNegative')}</option>
                </select>
                <span id={`${id}-label`} className="visually-hidden">
                  {t('examples.turnLabel', { number: index + 1 })}
                </span>
              </li>
            );
          })}
        </ol>
      </details>
    </fieldset>
  );
}
