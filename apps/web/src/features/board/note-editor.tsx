import { type CSSProperties, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A note or comment written on the board itself: a textarea where the card is. Enter or leaving
 * it saves, Shift+Enter starts a new line, Escape cancels. `onSave` gets the trimmed text (empty
 * when nothing was written: a new note is then discarded).
 */
export function NoteEditor({
  initial,
  label,
  comment,
  style,
  onSave,
  onCancel,
}: {
  initial: string;
  /** What the textarea is for, for screen readers ("Note text", "Comment on …"). */
  label: string;
  comment: boolean;
  style: CSSProperties;
  onSave: (text: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation('board');
  const [text, setText] = useState(initial);
  const area = useRef<HTMLTextAreaElement>(null);
  /** Set once saved or cancelled, so the blur that follows does not save a second time. */
  const done = useRef(false);

  useEffect(() => {
    const element = area.current;
    if (!element) return;
    element.focus({ preventScroll: true });
    element.setSelectionRange(element.value.length, element.value.length);
  }, []);

  const finish = (save: boolean) => {
    if (done.current) return;
    done.current = true;
    if (save) onSave(text.trim());
    else onCancel();
  };

  return (
    <div
      className={`board-card note-editor kind-note${comment ? ' is-comment' : ''}`}
      style={style}
      onPointerDown={(e) => e.stopPropagation()}
    >
      <span className="card-kind">{t(comment ? 'kind.comment' : 'kind.note')}</span>
      <textarea
        ref={area}
        dir="auto"
        aria-label={label}
        aria-describedby="note-editor-keys"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            finish(true);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            finish(false);
          }
        }}
        onBlur={() => finish(true)}
      />
      <span id="note-editor-keys" className="visually-hidden">
        {t('editor.keys')}
      </span>
    </div>
  );
}
