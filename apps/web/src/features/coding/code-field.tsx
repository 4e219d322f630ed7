import type { CodeSuggestions } from '@calma/protocol';
import { type KeyboardEvent, type RefObject, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../lib/api';

type Suggestion = CodeSuggestions['suggestions'][number];

/**
 * The code's text field with the group's codes offered while typing (by prefix, then by
 * meaning): ↓/↑ move through them, Enter takes the highlighted one into the field (Enter again
 * adds the code), Esc closes the list and then leaves the field.
 */
export function CodeField({
  value,
  onChange,
  onSubmit,
  suggestPath,
  token,
  inputRef,
  inputId,
  describedBy,
}: {
  value: string;
  onChange: (value: string) => void;
  onSubmit: () => void;
  suggestPath: string;
  token: string;
  inputRef: RefObject<HTMLInputElement | null>;
  inputId: string;
  describedBy: string;
}) {
  const { t } = useTranslation('coding');
  const id = useId();
  const listId = `${id}-list`;
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const [asked, setAsked] = useState('');

  useEffect(() => {
    const q = value.trim();
    if (q === '' || q === asked) {
      if (q === '') setSuggestions([]);
      return undefined;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      api<CodeSuggestions>(`${suggestPath}?${new URLSearchParams({ q, limit: '8' })}`, {
        token,
        signal: controller.signal,
      }).then(
        (data) => {
          setSuggestions(data.suggestions);
          setActive(-1);
          setAsked(q);
        },
        () => {
          // Suggestions are a help: without them the field still takes any code.
        },
      );
    }, 120);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [value, asked, suggestPath, token]);

  const shown = open && value.trim() !== '' && suggestions.length > 0;

  const take = (s: Suggestion) => {
    onChange(s.text);
    setAsked(s.text.trim());
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' && suggestions.length > 0) {
      event.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, suggestions.length - 1));
    } else if (event.key === 'ArrowUp' && shown) {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, -1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const chosen = shown && active >= 0 ? suggestions[active] : undefined;
      if (chosen) take(chosen);
      else {
        setOpen(false);
        onSubmit();
      }
    } else if (event.key === 'Escape') {
      event.preventDefault();
      if (shown) setOpen(false);
      else event.currentTarget.blur();
    }
  };

  return (
    <div className="coding-combo">
      <input
        ref={inputRef}
        id={inputId}
        className="coding-code-input"
        type="text"
        dir="auto"
        autoComplete="off"
        maxLength={500}
        role="combobox"
        aria-describedby={describedBy}
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && active >= 0 ? `${listId}-${active}` : undefined}
        value={value}
        onChange={(event) => {
          onChange(event.target.value);
          setOpen(true);
        }}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <div id={listId} role="listbox" aria-label={t('suggest.label')} className="coding-suggestions" hidden={!shown}>
        {shown &&
          suggestions.map((s, i) => (
            <div
              key={`${s.by}:${s.text}`}
              id={`${listId}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(event) => {
                event.preventDefault();
                take(s);
              }}
            >
              <span dir="auto" className="coding-suggestion-text">
                {s.text}
              </span>
              <span className={`coding-by ${s.by}`}>{t(`suggest.${s.by}`)}</span>
              <span className="hint">{t('suggest.count', { count: s.count })}</span>
            </div>
          ))}
      </div>
    </div>
  );
}
