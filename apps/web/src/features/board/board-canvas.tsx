import type { ReadOnlyReason } from '@calma/core';
import { CardKind, type Card as ContractCard } from '@calma/protocol/board';
import { type KeyboardEvent as ReactKeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Board, Card } from '../../lib/board';
import type { InteractionList, LabelList } from '../../lib/contract';
import { useLive } from '../../lib/use-session-data';
import { BoardCard } from './board-card';
import { BoardToolbar } from './board-toolbar';
import { cardInfo } from './card-info';
import { CardPopover } from './card-popover';
import { cardSize, freeSpotNear, zoomPercent } from './geometry';
import { NoteEditor } from './note-editor';
import { useBoardView } from './use-board-view';
import { useCardPopover } from './use-card-popover';
import { useSurfacePointers } from './use-surface-pointers';
import './board.css';

const palette = ['#fde2e4', '#e2ece9', '#fff1c1', '#dbe7f6', '#e9e0f5', '#fbe3d1', '#dff3e4', '#f0e6dc'];

/** Where a cluster's colour comes from: its position among the board's cluster ids. */
function clusterColour(clusterId: Card['clusterId'], order: string[]): string | undefined {
  if (clusterId === null) return undefined;
  const i = order.indexOf(String(clusterId));
  return palette[Math.max(i, 0) % palette.length];
}

/** A note being written on the board: a new one (a comment when `commentOn` is set) or an edit. */
type Editing = { type: 'new'; x: number; y: number; commentOn: ContractCard | null } | { type: 'edit'; id: string };

/**
 * The infinite canvas. It opens fitted to readable cards; one finger or the mouse on the
 * background pans, two fingers pinch, Ctrl/⌘ + wheel zooms (a plain wheel scrolls the page);
 * cards drag (a selection together; on a touch screen a card drags once selected), hover, tap or
 * Enter shows a card's details, and notes are written on the board itself.
 */
export function BoardCanvas({
  board,
  me,
  readOnly,
  groupId,
  token,
  interactions,
  names,
  refitKey = 0,
}: {
  board: Board;
  /** This person's author id on the board (a participant id, `moderator`, `admin`). */
  me: string;
  /** Why this person may not edit now; null when they may (the tools follow it). */
  readOnly: ReadOnlyReason | null;
  groupId: string;
  token: string;
  /** The group's interactions, in the order the group's list numbers them. */
  interactions: InteractionList['interactions'];
  /** Participant id → display name. */
  names: Readonly<Record<string, string>>;
  /** Changes when the whole board was laid out anew (an affinity map): the view fits again. */
  refitKey?: number;
}) {
  const { t } = useTranslation('board');
  const writable = readOnly === null;
  const labelCount = board.cards.filter((c) => c.kind === CardKind.label).length;
  // Stage, author and message of each label; read again when labels arrive on the board.
  const labels = useLive<LabelList>(`/api/groups/${encodeURIComponent(groupId)}/labels`, token, labelCount);
  const { surface, view, setView, zoomBy, fitAll, reveal, clientToBoard, centre } = useBoardView(
    board.cards,
    board.status === 'synced',
    refitKey,
  );
  const section = useRef<HTMLElement>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<Editing | null>(null);
  const clusterOrder = useMemo(() => Object.keys(board.clusters).sort(), [board.clusters]);
  const byId = useMemo(() => new Map(board.cards.map((c) => [c.id, c])), [board.cards]);
  const cardExists = useCallback((id: string) => byId.has(id), [byId]);
  // The pointers know whether a drag is under way; the popover asks (no hover popover during one).
  const moving = useRef<() => boolean>(() => false);
  const {
    popover,
    open: openPopover,
    close: closePopover,
    hover,
    unhover,
    hold,
  } = useCardPopover(cardExists, () => moving.current() || editing !== null);
  const pointer = useSurfacePointers({
    board,
    byId,
    view,
    setView,
    clientToBoard,
    selected,
    setSelected,
    writable,
    surface,
    popover,
    openPopover,
    closePopover,
  });
  moving.current = pointer.moving;
  const { dragging, band } = pointer;

  // A board that turns read-only keeps no selection and no note half-written: nothing can be done with them.
  useEffect(() => {
    if (!writable) {
      setSelected(new Set());
      setEditing(null);
    }
  }, [writable]);

  const nudge = (card: Card, key: string) => {
    const step = 20;
    const delta: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const d = delta[key];
    if (!d || !writable) return false;
    board.move([{ id: card.id, x: card.x + d[0], y: card.y + d[1] }]);
    reveal({ x: card.x + d[0], y: card.y + d[1] });
    return true;
  };

  const startNote = () => {
    const c = centre();
    const at = freeSpotNear({ x: c.x - cardSize.width / 2, y: c.y - cardSize.height / 2 }, board.cards, false);
    closePopover(false);
    setEditing({ type: 'new', ...at, commentOn: null });
    reveal(at);
  };

  const startComment = () => {
    const [id] = [...selected];
    const card = id ? byId.get(id) : undefined;
    if (!card) return;
    const at = freeSpotNear(card, board.cards);
    closePopover(false);
    setEditing({ type: 'new', ...at, commentOn: card });
    reveal(at);
  };

  const startEdit = (card: Card) => {
    if (!writable || card.authorId !== me || card.kind !== CardKind.note) return;
    closePopover(false);
    setEditing({ type: 'edit', id: card.id });
    reveal(card);
  };

  const finishEditing = (text: string | null) => {
    if (editing?.type === 'new' && text)
      board.addNote(editing.x, editing.y, text, editing.commentOn ? editing.commentOn.id : undefined);
    if (editing?.type === 'edit' && text) {
      const card = byId.get(editing.id);
      if (card && card.text !== text) board.setText(editing.id, text);
    }
    setEditing(null);
    // Saved with Enter or cancelled with Escape: focus stays on the board, not lost to the page.
    requestAnimationFrame(() => {
      if (document.activeElement === document.body) surface.current?.focus({ preventScroll: true });
    });
  };

  const onSurfaceKey = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    const pan: Record<string, [number, number]> = {
      ArrowLeft: [60, 0],
      ArrowRight: [-60, 0],
      ArrowUp: [0, 60],
      ArrowDown: [0, -60],
    };
    const step = pan[e.key];
    if (step) {
      e.preventDefault();
      setView((v) => ({ ...v, x: v.x + step[0], y: v.y + step[1] }));
    } else if (e.key === '+' || e.key === '=') zoomBy(1.2);
    else if (e.key === '-') zoomBy(1 / 1.2);
  };

  const popoverCard = popover ? byId.get(popover.id) : undefined;
  const editingId = editing?.type === 'edit' ? editing.id : null;
  const editingCard = editingId ? byId.get(editingId) : undefined;

  return (
    <section ref={section} className="board" aria-label={t('section')}>
      <BoardToolbar
        readOnly={!writable}
        selectedCount={selected.size}
        canUndo={board.canUndo}
        canRedo={board.canRedo}
        zoomPercent={zoomPercent(view)}
        onAddNote={startNote}
        onComment={startComment}
        onGroup={(name) => board.group([...selected], name)}
        onUndo={board.undo}
        onRedo={board.redo}
        onZoomIn={() => zoomBy(1.2)}
        onZoomOut={() => zoomBy(1 / 1.2)}
        onFitAll={fitAll}
      />
      {readOnly && (
        <p className="board-readonly" role="status">
          {readOnly.type === 'private-segment'
            ? t('readOnly.private-segment', { segment: readOnly.segment })
            : t(`readOnly.${readOnly.type}`)}
        </p>
      )}
      {board.status === 'closed' && (
        <p className="error" role="alert">
          {t('closed', { reason: board.closeReason })}
        </p>
      )}
      {clusterOrder.length > 0 && (
        <ul className="cluster-legend" aria-label={t('clusters')}>
          {clusterOrder.map((id) => (
            <li key={id} style={{ background: clusterColour(id, clusterOrder) }} dir="auto">
              {board.clusters[id]?.name}
              {board.clusters[id]?.suggested ? ` ${t('suggested')}` : ''}
            </li>
          ))}
        </ul>
      )}
      <div
        ref={surface}
        className="board-surface"
        data-testid="board-surface"
        {...pointer.handlers}
        // Focusing a card off the view makes the browser scroll this clipped box; the view pans instead.
        onScroll={(e) => {
          e.currentTarget.scrollTop = 0;
          e.currentTarget.scrollLeft = 0;
        }}
        // A custom widget: it pans with the arrow keys and zooms with + and −.
        role="application"
        aria-roledescription={t('surface.role')}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: an application widget with its own keys
        tabIndex={0}
        aria-label={t('surface.label')}
        onKeyDown={onSurfaceKey}
      >
        <div className="board-layer" style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})` }}>
          {board.cards.map((card) => {
            if (card.id === editingId) return null;
            const live = dragging?.[card.id];
            const x = live?.x ?? card.x;
            const y = live?.y ?? card.y;
            return (
              <BoardCard
                key={card.id}
                card={card}
                style={{
                  transform: `translate(${x}px, ${y}px)`,
                  background: clusterColour(card.clusterId, clusterOrder),
                }}
                selected={selected.has(card.id)}
                dragging={Boolean(live)}
                popoverOpen={popover?.id === card.id}
                editable={writable && card.kind === CardKind.note && card.authorId === me}
                onKeyboardOpen={(element) => {
                  setSelected(new Set([card.id]));
                  openPopover(card.id, 'keyboard', element);
                }}
                onToggle={() =>
                  setSelected((prev) => {
                    const next = new Set(prev);
                    if (next.has(card.id)) next.delete(card.id);
                    else next.add(card.id);
                    return next;
                  })
                }
                onEdit={() => startEdit(card)}
                onKeyDown={(e) => nudge(card, e.key)}
                onHover={(element) => hover(card.id, element)}
                onUnhover={unhover}
                onFocus={() => reveal(card)}
              />
            );
          })}
          {editing && (
            <NoteEditor
              key={editing.type === 'edit' ? editing.id : 'new'}
              initial={editingCard?.text ?? ''}
              comment={editing.type === 'new' ? editing.commentOn !== null : Boolean(editingCard?.commentOn)}
              label={
                editing.type === 'new' && editing.commentOn
                  ? t('editor.commentLabel', { text: editing.commentOn.text })
                  : t('editor.noteLabel')
              }
              style={{
                transform: `translate(${editing.type === 'new' ? editing.x : (editingCard?.x ?? 0)}px, ${
                  editing.type === 'new' ? editing.y : (editingCard?.y ?? 0)
                }px)`,
              }}
              onSave={(text) => finishEditing(text)}
              onCancel={() => finishEditing(null)}
            />
          )}
          {band && (
            <div
              className="selection-band"
              style={{
                transform: `translate(${Math.min(band.x0, band.x1)}px, ${Math.min(band.y0, band.y1)}px)`,
                width: Math.abs(band.x1 - band.x0),
                height: Math.abs(band.y1 - band.y0),
              }}
              aria-hidden="true"
            />
          )}
          {board.peers.map((peer) =>
            peer.cursor ? (
              <div
                key={peer.clientId}
                className="peer-cursor"
                style={{ transform: `translate(${peer.cursor.x}px, ${peer.cursor.y}px)`, color: peer.color }}
                aria-hidden="true"
              >
                ▲{' '}
                <span style={{ background: peer.color }} dir="auto">
                  {peer.name}
                </span>
              </div>
            ) : null,
          )}
        </div>
      </div>
      {popover && popoverCard && (
        <CardPopover
          key={`${popover.id}-${popover.via}`}
          info={cardInfo(popoverCard, { cards: board.cards, interactions, labels: labels?.labels ?? [], names })}
          via={popover.via}
          anchor={popover.anchor}
          container={section.current}
          onClose={closePopover}
          onPointerEnter={hold}
          onPointerLeave={() => {
            if (popover.via === 'hover') unhover();
          }}
          onEdit={
            writable && popoverCard.kind === CardKind.note && popoverCard.authorId === me
              ? () => startEdit(popoverCard)
              : undefined
          }
        />
      )}
      <p id="board-card-keys" className="visually-hidden">
        {t('cardKeys')}
      </p>
      <p className="hint board-hint">
        {t('count.cards', { count: board.cards.length })} · {t('count.others', { count: board.peers.length })}
        {board.peers.length > 0 && (
          <>
            : <bdi>{board.peers.map((p) => p.name).join(', ')}</bdi>
          </>
        )}
        . {t('how')}
      </p>
    </section>
  );
}
