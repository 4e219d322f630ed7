import type { Card } from '@calma/protocol/board';
import type { CSSProperties, KeyboardEvent, MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * One card on the board: a button (select with Enter or a click, details by hover, tap or
 * keyboard), its text in whatever script it was written (`dir="auto"`). Pointer presses are
 * handled by the surface, which knows whether they pan, drag or tap.
 */
export function BoardCard({
  card,
  style,
  selected,
  dragging,
  popoverOpen,
  editable,
  onKeyboardOpen,
  onToggle,
  onEdit,
  onKeyDown,
  onHover,
  onUnhover,
  onFocus,
}: {
  card: Card;
  style: CSSProperties;
  selected: boolean;
  dragging: boolean;
  popoverOpen: boolean;
  /** This person's own note: double-click or Enter edits it. */
  editable: boolean;
  /** Enter or Space: select it and open its details. */
  onKeyboardOpen: (element: HTMLElement) => void;
  /** Shift+Enter: add it to the selection or take it out. */
  onToggle: () => void;
  onEdit: () => void;
  onKeyDown: (event: KeyboardEvent<HTMLButtonElement>) => boolean;
  onHover: (element: HTMLElement) => void;
  onUnhover: () => void;
  onFocus: () => void;
}) {
  const { t } = useTranslation('board');
  const kind = card.commentOn ? 'comment' : card.kind === 'label' || card.kind === 'attribute' ? card.kind : 'note';
  return (
    <button
      type="button"
      data-card-id={card.id}
      className={`board-card kind-${card.kind}${selected ? ' selected' : ''}${dragging ? ' dragging' : ''}`}
      style={style}
      aria-pressed={selected}
      aria-haspopup="dialog"
      aria-expanded={popoverOpen}
      aria-label={t('card.label', { kind: t(`kind.${kind}`), text: card.text })}
      aria-describedby="board-card-keys"
      onClick={(e: MouseEvent<HTMLButtonElement>) => {
        // Only a click with no pointer (Enter or Space on a focused card); presses are the surface's.
        if (e.detail !== 0) return;
        if (e.shiftKey) onToggle();
        else onKeyboardOpen(e.currentTarget);
      }}
      onDoubleClick={() => {
        if (editable) onEdit();
      }}
      onKeyDown={(e) => {
        if (editable && (e.key === 'F2' || (e.key === 'Enter' && !e.shiftKey))) {
          e.preventDefault();
          onEdit();
        } else if (e.key === 'i' || e.key === 'I') {
          e.preventDefault();
          onKeyboardOpen(e.currentTarget);
        } else if (onKeyDown(e)) e.preventDefault();
      }}
      onPointerEnter={(e) => {
        if (e.pointerType === 'mouse') onHover(e.currentTarget);
      }}
      onPointerLeave={(e) => {
        if (e.pointerType === 'mouse') onUnhover();
      }}
      onFocus={onFocus}
    >
      <span className="card-kind">{t(`kind.${kind}`)}</span>
      <span className="card-text" dir="auto">
        {card.text}
      </span>
      {card.definition && (
        <span className="card-detail" dir="auto">
          {card.definition}
        </span>
      )}
    </button>
  );
}
