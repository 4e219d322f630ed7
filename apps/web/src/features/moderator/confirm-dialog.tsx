import { type KeyboardEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import './moderator.css';

/** What a confirmation says: what will happen, and the button that makes it happen. */
export interface ConfirmRequest {
  title: string;
  body: ReactNode;
  confirmLabel: string;
}

/**
 * A confirmation in a modal `<dialog>`: `ask(request)` opens it and resolves to whether the
 * person confirmed. The rest of the page is inert while it is open, Tab stays inside it, Escape
 * or Cancel (which has the focus first) says no.
 */
export function useConfirm() {
  const [open, setOpen] = useState<(ConfirmRequest & { resolve: (ok: boolean) => void }) | null>(null);
  const ask = useCallback(
    (request: ConfirmRequest) =>
      new Promise<boolean>((resolve) => {
        setOpen((current) => {
          // One question at a time: a second ask while one is open is a no.
          if (current) {
            resolve(false);
            return current;
          }
          return { ...request, resolve };
        });
      }),
    [],
  );
  const element = open ? (
    <ConfirmDialog
      {...open}
      onClose={(ok) => {
        open.resolve(ok);
        setOpen(null);
      }}
    />
  ) : null;
  return { ask, element };
}

function ConfirmDialog({ title, body, confirmLabel, onClose }: ConfirmRequest & { onClose: (ok: boolean) => void }) {
  const { t } = useTranslation('moderator');
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    // Closing before unmounting gives the focus back to the button that opened the dialog.
    return () => dialog?.close();
  }, []);

  // showModal makes the page inert, but Tab may still leave for the browser's own controls.
  const trapTab = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Tab' || !ref.current) return;
    const focusable = [...ref.current.querySelectorAll<HTMLElement>('button, [href], input, select, textarea')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(event) => {
        event.preventDefault();
        onClose(false);
      }}
      onKeyDown={trapTab}
    >
      <h2 id={titleId}>{title}</h2>
      <div id={bodyId}>{body}</div>
      <div className="actions">
        {/* biome-ignore lint/a11y/noAutofocus: the safe choice has the focus when a dialog opens */}
        <button type="button" className="secondary" autoFocus onClick={() => onClose(false)}>
          {t('confirm.cancel')}
        </button>
        <button type="button" className="danger" onClick={() => onClose(true)}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
