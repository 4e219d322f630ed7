import type { Card } from '@calma/protocol/board';
import { type PointerEvent as ReactPointerEvent, type RefObject, useRef, useState } from 'react';
import type { Board } from '../../lib/board';
import type { PopoverVia } from './card-popover';
import { cardSize, type Point, type View } from './geometry';
import { isTap, type PinchStart, pinchView, pressAction } from './gestures';
import type { Popover } from './use-card-popover';

const cursorInterval = 50;

/** A press on the surface, from pointer down to up. */
interface Press {
  pointerId: number;
  pointerType: string;
  kind: 'pan' | 'drag-cards' | 'select-box';
  start: Point;
  origin: View;
  cardId: string | null;
  cards: { id: string; x: number; y: number }[];
  moved: boolean;
}

/**
 * Pointers on the surface (mouse, pen, fingers) through pointer events: what a press starts is
 * `pressAction`'s decision; two fingers pinch; a tap on a card selects it and opens its details.
 * Returns the handlers for the surface, the cards being dragged and the selection box.
 */
export function useSurfacePointers({
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
}: {
  board: Board;
  byId: ReadonlyMap<string, Card>;
  view: View;
  setView: (next: View) => void;
  clientToBoard: (clientX: number, clientY: number) => Point;
  selected: ReadonlySet<string>;
  setSelected: (next: Set<string> | ((prev: Set<string>) => Set<string>)) => void;
  writable: boolean;
  surface: RefObject<HTMLDivElement | null>;
  popover: Popover | null;
  openPopover: (id: string, via: PopoverVia, anchor: HTMLElement) => void;
  closePopover: (returnFocus: boolean) => void;
}) {
  const [dragging, setDragging] = useState<Record<string, Point> | null>(null);
  const [band, setBand] = useState<{ x0: number; y0: number; x1: number; y1: number } | null>(null);
  const pointers = useRef(new Map<number, Point>());
  const pinch = useRef<PinchStart | null>(null);
  const press = useRef<Press | null>(null);
  const lastCursor = useRef(0);
  const trailingCursor = useRef<ReturnType<typeof setTimeout> | null>(null);

  /** Sends the cursor at most every 50 ms, and always where the pointer came to rest. */
  const sendCursor = (cursor: Point | null) => {
    if (trailingCursor.current) clearTimeout(trailingCursor.current);
    trailingCursor.current = null;
    const wait = lastCursor.current + cursorInterval - performance.now();
    if (cursor === null || wait <= 0) {
      lastCursor.current = performance.now();
      board.setCursor(cursor);
      return;
    }
    trailingCursor.current = setTimeout(() => {
      trailingCursor.current = null;
      lastCursor.current = performance.now();
      board.setCursor(cursor);
    }, wait);
  };

  const cardAt = (target: EventTarget | null): Card | undefined => {
    const element = (target as Element | null)?.closest?.('[data-card-id]');
    const id = element?.getAttribute('data-card-id');
    return id ? byId.get(id) : undefined;
  };

  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    // No emulated mouse events after a touch: a tap opens a card's sheet and the board may move
    // to show the card above it, and the mousedown that followed then landed on the surface,
    // took the focus and closed the sheet the tap had just opened.
    if (event.pointerType === 'touch') event.preventDefault();
    pointers.current.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.current.size === 2) {
      // Two fingers: a pinch, whatever the first one was doing.
      const [a, b] = [...pointers.current.values()] as [Point, Point];
      const rect = event.currentTarget.getBoundingClientRect();
      const local = (p: Point) => ({ x: p.x - rect.left, y: p.y - rect.top });
      pinch.current = { a: local(a), b: local(b), view };
      if (press.current?.kind === 'drag-cards') setDragging(null);
      press.current = null;
      setBand(null);
      return;
    }
    if (pointers.current.size > 2) return;
    const card = cardAt(event.target);
    const kind = pressAction({
      pointerType: event.pointerType,
      onCard: Boolean(card),
      cardSelected: Boolean(card && selected.has(card.id)),
      shiftKey: event.shiftKey,
      readOnly: !writable,
    });
    let ids = new Set(selected);
    if (event.pointerType !== 'touch') {
      // A mouse or pen selects as it presses: shift (or Ctrl/⌘) adds or takes out, else just this card.
      if (card) {
        if (event.shiftKey || event.metaKey || event.ctrlKey) {
          ids = new Set(selected);
          if (ids.has(card.id)) ids.delete(card.id);
          else ids.add(card.id);
        } else if (!selected.has(card.id)) ids = new Set([card.id]);
        setSelected(ids);
      } else if (!event.shiftKey) {
        setSelected(new Set());
        if (popover && popover.via !== 'hover') closePopover(false);
      }
    }
    if (kind === 'select-box') {
      const start = clientToBoard(event.clientX, event.clientY);
      setBand({ x0: start.x, y0: start.y, x1: start.x, y1: start.y });
    }
    press.current = {
      pointerId: event.pointerId,
      pointerType: event.pointerType,
      kind,
      start: { x: event.clientX, y: event.clientY },
      origin: view,
      cardId: card?.id ?? null,
      cards:
        kind === 'drag-cards'
          ? board.cards.filter((c) => ids.has(c.id)).map((c) => ({ id: c.id, x: c.x, y: c.y }))
          : [],
      moved: false,
    };
  };

  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>) => {
    sendCursor(clientToBoard(event.clientX, event.clientY));
    if (!pointers.current.has(event.pointerId)) return;
    pointers.current.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pinch.current && pointers.current.size >= 2) {
      const [a, b] = [...pointers.current.values()] as [Point, Point];
      const rect = event.currentTarget.getBoundingClientRect();
      const start = pinch.current;
      setView(pinchView(start, { x: a.x - rect.left, y: a.y - rect.top }, { x: b.x - rect.left, y: b.y - rect.top }));
      return;
    }
    const p = press.current;
    if (!p || p.pointerId !== event.pointerId) return;
    const dx = event.clientX - p.start.x;
    const dy = event.clientY - p.start.y;
    if (!p.moved) {
      if (isTap(p.start, { x: event.clientX, y: event.clientY })) return;
      p.moved = true;
      // Captured only once it is a drag, so a click or double-click still lands on its card.
      event.currentTarget.setPointerCapture?.(event.pointerId);
      if (popover?.via === 'hover') closePopover(false);
    }
    if (p.kind === 'select-box') {
      const end = clientToBoard(event.clientX, event.clientY);
      setBand((b) => (b ? { ...b, x1: end.x, y1: end.y } : b));
    } else if (p.kind === 'pan') setView({ ...p.origin, x: p.origin.x + dx, y: p.origin.y + dy });
    else if (writable) {
      const next = Object.fromEntries(
        p.cards.map((c) => [c.id, { x: c.x + dx / view.scale, y: c.y + dy / view.scale }]),
      );
      setDragging(next);
      // Others see the card travel, not jump.
      board.move(Object.entries(next).map(([id, q]) => ({ id, ...q })));
    }
  };

  const endPress = (event: ReactPointerEvent<HTMLDivElement>, cancelled: boolean) => {
    pointers.current.delete(event.pointerId);
    if (pointers.current.size < 2) pinch.current = null;
    const p = press.current;
    if (!p || p.pointerId !== event.pointerId) return;
    press.current = null;
    if (p.kind === 'select-box' && band) {
      const [left, right] = [Math.min(band.x0, band.x1), Math.max(band.x0, band.x1)];
      const [top, bottom] = [Math.min(band.y0, band.y1), Math.max(band.y0, band.y1)];
      const inside = board.cards.filter(
        (c) => c.x < right && c.x + cardSize.width > left && c.y < bottom && c.y + cardSize.height > top,
      );
      setSelected((prev) => new Set([...prev, ...inside.map((c) => c.id)]));
    }
    setBand(null);
    setDragging(null);
    if (cancelled || p.moved || p.pointerType !== 'touch') return;
    // A tap: on a card it selects the card and opens its details; on the background it lets go.
    const anchor = p.cardId
      ? surface.current?.querySelector<HTMLElement>(`[data-card-id="${CSS.escape(p.cardId)}"]`)
      : null;
    if (p.cardId && anchor) {
      setSelected(new Set([p.cardId]));
      openPopover(p.cardId, 'tap', anchor);
    } else {
      setSelected(new Set());
      closePopover(false);
    }
  };

  return {
    dragging,
    band,
    /** Whether a drag is under way (no hover popover then). */
    moving: () => Boolean(press.current?.moved),
    handlers: {
      onPointerDown,
      onPointerMove,
      onPointerUp: (e: ReactPointerEvent<HTMLDivElement>) => endPress(e, false),
      onPointerCancel: (e: ReactPointerEvent<HTMLDivElement>) => endPress(e, true),
      // A mouse that leaves takes its cursor away; a finger lifted leaves it where it was.
      onPointerLeave: (e: ReactPointerEvent<HTMLDivElement>) => {
        if (e.pointerType === 'mouse') sendCursor(null);
      },
    },
  };
}
