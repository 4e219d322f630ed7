import { type PointerEvent as ReactPointerEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Board, Card } from '../../lib/board';

const cardSize = { width: 200, height: 96 };
const palette = ['#fde2e4', '#e2ece9', '#fff1c1', '#dbe7f6', '#e9e0f5', '#fbe3d1', '#dff3e4', '#f0e6dc'];

/** Where a cluster's colour comes from: its position among the board's cluster ids. */
function clusterColour(clusterId: Card['clusterId'], order: string[]): string | undefined {
  if (clusterId === null) return undefined;
  const i = order.indexOf(String(clusterId));
  return palette[Math.max(i, 0) % palette.length];
}

interface Drag {
  kind: 'pan' | 'cards' | 'select';
  startX: number;
  startY: number;
  origin: { x: number; y: number };
  cards: { id: string; x: number; y: number }[];
  moved: boolean;
}

/**
 * The infinite canvas: pan by dragging the background, zoom with the wheel or the buttons; cards
 * drag (a selection moves together), shift-click adds to the selection, arrow keys nudge the
 * focused card. Others' cursors and names come from awareness; layout moves animate in.
 */
export function BoardCanvas({
  board,
  readOnlyReason,
  excerpts,
  refitKey = 0,
}: {
  board: Board;
  /** Changes when the whole board was laid out anew (an affinity map): the view fits again. */
  refitKey?: number;
  /** Why this person may not edit now; null when they may (the tools follow it). */
  readOnlyReason: string | null;
  /** Interaction id → the start of its model response, shown on a label card's hover. */
  excerpts: Record<string, string>;
}) {
  const readOnly = readOnlyReason !== null;
  const [view, setView] = useState({ x: 0, y: 0, scale: 0.8 });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dragging, setDragging] = useState<Record<string, { x: number; y: number }> | null>(null);
  const [groupName, setGroupName] = useState('');
  /** The rubber band of a shift-drag on the background, in board coordinates. */
  const [band, setBand] = useState<{ x0: number; y0: number; x1: number; y1: number } | null>(null);
  /** Touch points on the surface, for pinch zoom. */
  const touches = useRef(new Map<number, { x: number; y: number }>());
  const pinch = useRef<{ distance: number; scale: number } | null>(null);
  const drag = useRef<Drag | null>(null);
  const surface = useRef<HTMLDivElement>(null);
  const lastCursor = useRef(0);
  const clusterOrder = useMemo(() => Object.keys(board.clusters).sort(), [board.clusters]);
  const fitted = useRef(false);

  /** Shows every card: the bounding box of the board, scaled into the surface. */
  const fit = useCallback(() => {
    const rect = surface.current?.getBoundingClientRect();
    if (!rect || board.cards.length === 0) return;
    const xs = board.cards.map((c) => c.x);
    const ys = board.cards.map((c) => c.y);
    const minX = Math.min(...xs) - 20;
    const minY = Math.min(...ys) - 20;
    const width = Math.max(...xs) + cardSize.width + 20 - minX;
    const height = Math.max(...ys) + cardSize.height + 20 - minY;
    const scale = Math.min(1.5, Math.max(0.15, Math.min(rect.width / width, rect.height / height)));
    setView({
      scale,
      x: (rect.width - width * scale) / 2 - minX * scale,
      y: (rect.height - height * scale) / 2 - minY * scale,
    });
  }, [board.cards]);

  // After a new layout, once the cards have arrived.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new layout refits
  useEffect(() => {
    if (refitKey === 0) return undefined;
    const timer = setTimeout(fit, 300);
    return () => clearTimeout(timer);
  }, [refitKey]);

  // A board that turns read-only keeps no selection: there is nothing to do with it.
  useEffect(() => {
    if (readOnly) setSelected(new Set());
  }, [readOnly]);

  // Fit once, when the board first has cards.
  useEffect(() => {
    if (fitted.current || board.status !== 'synced' || board.cards.length === 0) return;
    fitted.current = true;
    fit();
  }, [board.status, board.cards.length, fit]);

  const toBoard = (clientX: number, clientY: number) => {
    const rect = surface.current?.getBoundingClientRect() ?? { left: 0, top: 0 };
    return { x: (clientX - rect.left - view.x) / view.scale, y: (clientY - rect.top - view.y) / view.scale };
  };

  const onPointerDown = (event: ReactPointerEvent, card?: Card) => {
    if (event.button !== 0) return;
    event.stopPropagation();
    if (!card) {
      touches.current.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (touches.current.size === 2) {
        // Two fingers: pinch zoom instead of panning.
        const [a, b] = [...touches.current.values()] as [{ x: number; y: number }, { x: number; y: number }];
        pinch.current = { distance: Math.hypot(a.x - b.x, a.y - b.y), scale: view.scale };
        drag.current = null;
        return;
      }
    }
    let ids = selected;
    if (card) {
      if (event.shiftKey || event.metaKey || event.ctrlKey) {
        ids = new Set(selected);
        if (ids.has(card.id)) ids.delete(card.id);
        else ids.add(card.id);
      } else if (!selected.has(card.id)) ids = new Set([card.id]);
      setSelected(ids);
    } else if (!event.shiftKey) setSelected(new Set());
    (event.currentTarget as Element).setPointerCapture?.(event.pointerId);
    if (!card && event.shiftKey) {
      const start = toBoard(event.clientX, event.clientY);
      setBand({ x0: start.x, y0: start.y, x1: start.x, y1: start.y });
    }
    drag.current = {
      kind: card && !readOnly ? 'cards' : !card && event.shiftKey ? 'select' : 'pan',
      startX: event.clientX,
      startY: event.clientY,
      origin: { x: view.x, y: view.y },
      cards: board.cards.filter((c) => ids.has(c.id)).map((c) => ({ id: c.id, x: c.x, y: c.y })),
      moved: false,
    };
  };

  const onPointerMove = (event: ReactPointerEvent) => {
    const now = performance.now();
    if (now - lastCursor.current > 50) {
      lastCursor.current = now;
      board.setCursor(toBoard(event.clientX, event.clientY));
    }
    if (touches.current.has(event.pointerId))
      touches.current.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pinch.current && touches.current.size === 2) {
      const [a, b] = [...touches.current.values()] as [{ x: number; y: number }, { x: number; y: number }];
      const rect = surface.current?.getBoundingClientRect() ?? { left: 0, top: 0 };
      const target = (pinch.current.scale * Math.hypot(a.x - b.x, a.y - b.y)) / Math.max(1, pinch.current.distance);
      zoom(target / view.scale, (a.x + b.x) / 2 - rect.left, (a.y + b.y) / 2 - rect.top);
      return;
    }
    const d = drag.current;
    if (!d) return;
    const dx = event.clientX - d.startX;
    const dy = event.clientY - d.startY;
    if (Math.abs(dx) + Math.abs(dy) > 3) d.moved = true;
    if (d.kind === 'select') {
      const end = toBoard(event.clientX, event.clientY);
      setBand((b) => (b ? { ...b, x1: end.x, y1: end.y } : b));
    } else if (d.kind === 'pan') setView((v) => ({ ...v, x: d.origin.x + dx, y: d.origin.y + dy }));
    else if (d.moved && !readOnly) {
      const next = Object.fromEntries(
        d.cards.map((c) => [c.id, { x: c.x + dx / view.scale, y: c.y + dy / view.scale }]),
      );
      setDragging(next);
      // Others see the card travel, not jump.
      board.move(Object.entries(next).map(([id, p]) => ({ id, ...p })));
    }
  };

  const onPointerUp = (event: ReactPointerEvent) => {
    touches.current.delete(event.pointerId);
    if (touches.current.size < 2) pinch.current = null;
    if (drag.current?.kind === 'select' && band) {
      const [left, right] = [Math.min(band.x0, band.x1), Math.max(band.x0, band.x1)];
      const [top, bottom] = [Math.min(band.y0, band.y1), Math.max(band.y0, band.y1)];
      const inside = board.cards.filter(
        (c) => c.x < right && c.x + cardSize.width > left && c.y < bottom && c.y + cardSize.height > top,
      );
      setSelected((prev) => new Set([...prev, ...inside.map((c) => c.id)]));
    }
    setBand(null);
    drag.current = null;
    setDragging(null);
  };

  const zoom = (factor: number, cx?: number, cy?: number) =>
    setView((v) => {
      const scale = Math.min(3, Math.max(0.15, v.scale * factor));
      const rect = surface.current?.getBoundingClientRect();
      const px = cx ?? (rect ? rect.width / 2 : 0);
      const py = cy ?? (rect ? rect.height / 2 : 0);
      return { scale, x: px - ((px - v.x) * scale) / v.scale, y: py - ((py - v.y) * scale) / v.scale };
    });

  const nudge = (card: Card, key: string) => {
    const step = 20;
    const delta: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const d = delta[key];
    if (!d || readOnly) return false;
    board.move([{ id: card.id, x: card.x + d[0], y: card.y + d[1] }]);
    return true;
  };

  const addNote = () => {
    const rect = surface.current?.getBoundingClientRect();
    const centre = toBoard((rect?.left ?? 0) + (rect?.width ?? 400) / 2, (rect?.top ?? 0) + (rect?.height ?? 300) / 2);
    const text = window.prompt('Note text')?.trim();
    if (text) board.addNote(centre.x - cardSize.width / 2, centre.y - cardSize.height / 2, text);
  };

  const comment = () => {
    const [id] = [...selected];
    const card = board.cards.find((c) => c.id === id);
    const text = card ? window.prompt(`Comment on "${card.text}"`)?.trim() : undefined;
    if (card && text) board.addNote(card.x + cardSize.width + 16, card.y, text, card.id);
  };

  return (
    <section className="board" aria-label="Shared board">
      <div className="board-toolbar" role="toolbar" aria-label="Board tools">
        <button type="button" onClick={addNote} disabled={readOnly}>
          Add note
        </button>
        <button type="button" onClick={comment} disabled={readOnly || selected.size !== 1}>
          Comment
        </button>
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (groupName.trim() && selected.size > 0) board.group([...selected], groupName.trim());
            setGroupName('');
          }}
        >
          <label htmlFor="group-name" className="visually-hidden">
            Name for the selected cards' group
          </label>
          <input
            id="group-name"
            placeholder={selected.size > 0 ? `Group ${selected.size} selected as…` : 'Select cards to group'}
            value={groupName}
            onChange={(e) => setGroupName(e.target.value)}
            disabled={readOnly || selected.size === 0}
          />
          <button type="submit" disabled={readOnly || selected.size === 0 || !groupName.trim()}>
            Group
          </button>
        </form>
        <button type="button" onClick={board.undo} disabled={readOnly || !board.canUndo} title="Undo your last edit">
          Undo
        </button>
        <button type="button" onClick={board.redo} disabled={readOnly || !board.canRedo}>
          Redo
        </button>
        <span className="spacer" />
        <button type="button" onClick={() => zoom(1 / 1.2)} aria-label="Zoom out">
          −
        </button>
        <output aria-label="Zoom">{Math.round(view.scale * 100)}%</output>
        <button type="button" onClick={() => zoom(1.2)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={fit}>
          Fit all
        </button>
      </div>
      {readOnlyReason && (
        <p className="board-readonly" role="status">
          {readOnlyReason}
        </p>
      )}
      {board.status === 'closed' && (
        <p className="error" role="alert">
          The board closed: {board.closeReason}
        </p>
      )}
      {Object.keys(board.clusters).length > 0 && (
        <ul className="cluster-legend" aria-label="Clusters">
          {clusterOrder.map((id) => (
            <li key={id} style={{ background: clusterColour(id, clusterOrder) }}>
              {board.clusters[id]?.name}
              {board.clusters[id]?.suggested ? ' (suggested)' : ''}
            </li>
          ))}
        </ul>
      )}
      <div
        ref={surface}
        className="board-surface"
        data-testid="board-surface"
        onPointerDown={(e) => onPointerDown(e)}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={() => board.setCursor(null)}
        onPointerCancel={onPointerUp}
        // A custom widget: it pans with the arrow keys and zooms with + and −.
        role="application"
        aria-roledescription="board"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: an application widget with its own keys
        tabIndex={0}
        aria-label="Board surface: arrow keys pan, + and − zoom"
        onKeyDown={(e) => {
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
          } else if (e.key === '+' || e.key === '=') zoom(1.2);
          else if (e.key === '-') zoom(1 / 1.2);
        }}
        onWheel={(e) => {
          const rect = surface.current?.getBoundingClientRect();
          zoom(e.deltaY < 0 ? 1.1 : 1 / 1.1, e.clientX - (rect?.left ?? 0), e.clientY - (rect?.top ?? 0));
        }}
      >
        <div className="board-layer" style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})` }}>
          {board.cards.map((card) => {
            const live = dragging?.[card.id];
            const x = live?.x ?? card.x;
            const y = live?.y ?? card.y;
            const tip = [
              card.annotation ? `Annotation: ${card.annotation}` : null,
              card.definition ? `Definition: ${card.definition}` : null,
              card.interactionId && excerpts[card.interactionId] ? `Response: ${excerpts[card.interactionId]}` : null,
            ]
              .filter(Boolean)
              .join('\n');
            return (
              <button
                type="button"
                key={card.id}
                data-card-id={card.id}
                className={`board-card kind-${card.kind}${selected.has(card.id) ? ' selected' : ''}${live ? ' dragging' : ''}`}
                style={{
                  transform: `translate(${x}px, ${y}px)`,
                  background: clusterColour(card.clusterId, clusterOrder),
                }}
                title={tip || undefined}
                aria-pressed={selected.has(card.id)}
                aria-label={`${card.kind} card: ${card.text}`}
                onPointerDown={(e) => onPointerDown(e, card)}
                onClick={(e) => {
                  // Enter or Space on a focused card (a click with no pointer): select it; with
                  // Shift, add it to the selection or take it out.
                  if (e.detail !== 0) return;
                  setSelected((prev) => {
                    if (!e.shiftKey) return new Set([card.id]);
                    const next = new Set(prev);
                    if (next.has(card.id)) next.delete(card.id);
                    else next.add(card.id);
                    return next;
                  });
                }}
                onKeyDown={(e) => {
                  if (nudge(card, e.key)) e.preventDefault();
                }}
              >
                <span className="card-kind">{card.commentOn ? 'comment' : card.kind}</span>
                <span className="card-text">{card.text}</span>
                {card.definition && <span className="card-detail">{card.definition}</span>}
              </button>
            );
          })}
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
                ▲ <span style={{ background: peer.color }}>{peer.name}</span>
              </div>
            ) : null,
          )}
        </div>
      </div>
      <p className="hint">
        {board.cards.length} cards · {board.peers.length} others here
        {board.peers.length > 0 ? `: ${board.peers.map((p) => p.name).join(', ')}` : ''}. Drag the background to pan (or
        focus it and use the arrow keys), the wheel or two fingers to zoom; shift-click or shift-drag a box to select
        several (Enter and Shift+Enter on a focused card); arrow keys move a focused card.
      </p>
    </section>
  );
}
