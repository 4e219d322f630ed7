import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDuration, type ParsedMinutes } from './duration';

/**
 * A duration in minutes, typed as text so that decimals stay what was typed; says what it
 * really is ("= 0:06") and, when it is not a duration, why.
 */
export function MinutesField({
  label,
  value,
  parsed,
  onChange,
  className,
}: {
  label: string;
  value: string;
  parsed: ParsedMinutes;
  onChange: (value: string) => void;
  className?: string;
}) {
  const { t } = useTranslation('moderator');
  const errorId = useId();
  const showExact = parsed.ok && parsed.ms % 60_000 !== 0;
  return (
    <span className={`minutes-field ${className ?? ''}`}>
      <label>
        <span className="visually-hidden">{label}</span>
        <input
          type="text"
          inputMode="decimal"
          autoComplete="off"
          value={value}
          aria-invalid={!parsed.ok || undefined}
          aria-describedby={parsed.ok ? undefined : errorId}
          onChange={(e) => onChange(e.target.value)}
        />{' '}
        {t('duration.unit')}
      </label>
      {showExact && parsed.ok && <span className="hint">= {formatDuration(parsed.ms)}</span>}
      {!parsed.ok && (
        <span className="field-error" id={errorId}>
          {t(`duration.${parsed.error}`)}
        </span>
      )}
    </span>
  );
}
