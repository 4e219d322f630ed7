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
 * A confirmation in a modal `<dialog>`: `ask(request, action)` opens it; on confirmation it runs
 * `action` and closes only when that has finished, so the second click of a double click on the
 * confirm button lands on the busy dialog and not on whatever lies beneath it. Resolves to whether
 * the person confirmed. The rest of the page is inert while it is open, Tab stays inside it, and
 * Escape or Cancel (which has the focus first) says no.
 */
export function useConfirm() {
  const [open, setOpen] = useState<
    (ConfirmRequest & { action: () => Promise<unknown>; resolve: (ok: boolean) => void }) | null
  >(null);
  const ask = useCallback(
    (request: ConfirmRequest, action: () => Promise<unknown>) =>
      new Promise<boolean>((resolve) => {
        setOpen((current) => {
          // One question at a time: a second ask while one is open is a no.
          if (current) {
            resolve(false);
            return current;
          }
          return { ...request, action, resolve };
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

function ConfirmDialog({
  title,
  body,
  confirmLabel,
  action,
  onClose,
}: ConfirmRequest & { action: () => Promise<unknown>; onClose: (ok: boolean) => void }) {
  const { t } = useTranslation('moderator');
  const [busy, setBusy] = useState(false);
  const running = useRef(false);
  const confirm = async () => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    try {
      await action();
    } finally {
      onClose(true);
    }
  };
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    // The safe choice has the focus when the dialog opens.
    cancelRef.current?.focus();
    // React removes the dialog before this runs, so the browser cannot give the focus back itself.
    return () => {
      dialog?.close();
      opener?.focus();
    };
  }, []);

  // showModal makes the page inert, but Tab may still leave for the browser's own controls.
  const trapTab = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Tab' || !ref.current) return;
    // i18n-ignore: a CSS query, not text
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
      aria-busy={busy || undefined}
      onCancel={(event) => {
        event.preventDefault();
        if (!running.current) onClose(false);
      }}
      onKeyDown={trapTab}
    >
      <h2 id={titleId}>{title}</h2>
      <div id={bodyId}>{body}</div>
      <div className="actions">
        <button
          ref={cancelRef}
          type="button"
          className="secondary"
          aria-disabled={busy || undefined}
          onClick={() => {
            if (!running.current) onClose(false);
          }}
        >
          {t('confirm.cancel')}
        </button>
        <button type="button" className="danger" aria-busy={busy || undefined} onClick={confirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
