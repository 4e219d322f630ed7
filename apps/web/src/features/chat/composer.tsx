import { type KeyboardEvent, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';

/**
 * Where the participant writes: Enter sends, Shift+Enter starts a new line; a counter against the
 * length limit; the send button says why it cannot be used (an answer streaming, turns used up,
 * nothing written, too long).
 */
export function Composer({
  value,
  onChange,
  onSend,
  blockedReason,
  maxChars,
}: {
  value: string;
  onChange: (text: string) => void;
  onSend: () => Promise<void>;
  /** Why nothing can be sent now, whatever is written (streaming, turns used up), or null. */
  blockedReason: string | null;
  /** The longest message the server takes (the conversation's `maxChars`). */
  maxChars: number;
}) {
  const { t } = useTranslation('chat');
  const id = useId();
  // Counted as the server counts: UTF-16 code units of the trimmed text.
  const length = value.trim().length;
  const over = length > maxChars;
  const reason =
    blockedReason ??
    (value.trim() === '' ? t('composer.empty') : over ? t('composer.tooLong', { count: length - maxChars }) : null);

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // An IME composing Devanagari or Chinese uses Enter to pick a candidate: never send then.
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    if (reason === null) void onSend();
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
      }}
    >
      <label htmlFor={`${id}-text`}>{t('composer.label')}</label>
      <textarea
        id={`${id}-text`}
        dir="auto"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={`${id}-hint ${id}-count`}
        data-testid="composer"
      />
      <div className="composer-row">
        <span className="hint" id={`${id}-hint`}>
          {t('composer.hint')}
        </span>
        <span className="length-counter" id={`${id}-count`} data-over={over} data-testid="length-counter">
          {t('composer.count', { count: length, limit: maxChars })}
        </span>
      </div>
      <ActionButton type="submit" disabledReason={reason} onClick={onSend} data-testid="send">
        {t('composer.send')}
      </ActionButton>
    </form>
  );
}
