import { type ButtonHTMLAttributes, type MouseEvent, useId, useRef, useState } from 'react';

type Props = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'disabled' | 'onClick'> & {
  /**
   * Why the button cannot be used now, in words a person acts on ("Name at least one attribute
   * first"). Null or absent: the button works. A button with a reason stays focusable and says
   * the reason beside itself (and to screen readers, as its description) instead of fading out.
   */
  disabledReason?: string | null;
  /**
   * The action. When it returns a promise the button ignores further clicks until it settles, so
   * a double click runs the action once.
   */
  onClick?: (event: MouseEvent<HTMLButtonElement>) => unknown;
  /** Shown instead of the label while the action runs. */
  pendingLabel?: string;
};

/**
 * The app's button for actions: explains itself when it cannot be used, and runs an async action
 * once however often it is clicked. A submit button (`type="submit"`) with a reason blocks the
 * form's submission too.
 */
export function ActionButton({ disabledReason, onClick, pendingLabel, children, className, ...rest }: Props) {
  const reasonId = useId();
  const [pending, setPending] = useState(false);
  const running = useRef(false);
  const blocked = Boolean(disabledReason);
  const describedBy = [rest['aria-describedby'], blocked ? reasonId : null].filter(Boolean).join(' ') || undefined;

  const handleClick = (event: MouseEvent<HTMLButtonElement>) => {
    if (blocked || running.current) {
      event.preventDefault();
      return;
    }
    const result = onClick?.(event);
    if (result instanceof Promise) {
      running.current = true;
      setPending(true);
      result.finally(() => {
        running.current = false;
        setPending(false);
      });
    }
  };

  return (
    <span className="action-button">
      <button
        type="button"
        {...rest}
        className={className}
        aria-disabled={blocked || pending || undefined}
        aria-busy={pending || undefined}
        aria-describedby={describedBy}
        onClick={handleClick}
      >
        {pending && pendingLabel ? pendingLabel : children}
      </button>
      {blocked && (
        <span className="disabled-reason" id={reasonId}>
          {disabledReason}
        </span>
      )}
    </span>
  );
}
