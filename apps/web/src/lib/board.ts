import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/** A card of the shared board, as the `cards` map holds it. */
export interface Card {
  id: string;
  kind: 'label' | 'attribute' | 'note' | string;
  text: string;
  x: number;
  y: number;
  authorId: string | null;
  clusterId: number | string | null;
  annotation?: string | null;
  definition?: string | null;
  labelId?: string | null;
  interactionId?: string | null;
  rank?: number | null;
  /** A note that comments on another card. */
  commentOn?: string | null;
}

/** Someone else on the board (Yjs awareness). */
export interface Peer {
  clientId: number;
  name: string;
  color: string;
  cursor: { x: number; y: number } | null;
}

export interface BoardState {
  status: 'connecting' | 'synced' | 'closed';
  /** Why the server closed the board (a 44xx close reason), if it did. */
  closeReason: string | null;
  cards: Card[];
  clusters: Record<string, { name: string; size?: number; suggested?: boolean }>;
  peers: Peer[];
  canUndo: boolean;
  canRedo: boolean;
}

export interface BoardActions {
  move(positions: { id: string; x: number; y: number }[]): void;
  /** A note (a comment when `commentOn` names the card it is about). */
  addNote(x: number, y: number, text: string, commentOn?: string): string;
  group(cardIds: string[], name: string): void;
  undo(): void;
  redo(): void;
  setCursor(cursor: { x: number; y: number } | null): void;
}

// Dark enough for white name tags (WCAG AA, ≥ 4.5:1).
const colors = ['#b3261e', '#00695c', '#8a5a00', '#2e7d32', '#6a1b9a', '#1d3557', '#a4442a', '#3d405b'];
const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function readCards(cards: Y.Map<unknown>): Card[] {
  const out: Card[] = [];
  for (const [id, value] of cards.entries()) {
    if (!(value instanceof Y.Map)) continue;
    const clusterId = value.get('clusterId');
    out.push({
      id,
      kind: str(value.get('kind')) ?? 'note',
      text: str(value.get('text')) ?? '',
      x: num(value.get('x')) ?? 0,
      y: num(value.get('y')) ?? 0,
      authorId: str(value.get('authorId')),
      clusterId: typeof clusterId === 'number' || typeof clusterId === 'string' ? clusterId : null,
      annotation: str(value.get('annotation')),
      definition: str(value.get('definition')),
      labelId: str(value.get('labelId')),
      interactionId: str(value.get('interactionId')),
      rank: num(value.get('rank')),
      commentOn: str(value.get('commentOn')),
    });
  }
  return out;
}

/**
 * The session's board over the stock y-websocket provider: cards and clusters as React state, the
 * others' cursors (awareness), and edits made in one local transaction origin so that undo and
 * redo cover this person's own edits only.
 */
export function useBoard(
  sessionId: string,
  token: string | null,
  me: { id: string; name: string },
): BoardState & BoardActions {
  // A write the server refused (the board turned read-only mid-drag) closes the socket with 4403;
  // the board then starts over from a fresh document, so the refused change is not re-sent.
  const [generation, setGeneration] = useState(0);
  const doc = useMemo(() => {
    void generation;
    return new Y.Doc();
  }, [generation]);
  const origin = useMemo(() => ({ local: true }), []);
  const provider = useRef<WebsocketProvider | null>(null);
  const undo = useRef<Y.UndoManager | null>(null);
  const [state, setState] = useState<BoardState>({
    status: 'connecting',
    closeReason: null,
    cards: [],
    clusters: {},
    peers: [],
    canUndo: false,
    canRedo: false,
  });

  useEffect(() => {
    if (!token) return undefined;
    const cards = doc.getMap<unknown>('cards');
    const clusters = doc.getMap<unknown>('clusters');
    const base = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/yjs`;
    const p = new WebsocketProvider(base, sessionId, doc, { params: { token }, disableBc: true, maxBackoffTime: 2000 });
    provider.current = p;
    const manager = new Y.UndoManager([cards, clusters], { trackedOrigins: new Set([origin]), captureTimeout: 300 });
    undo.current = manager;
    let frame = 0;
    const refresh = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        const named: BoardState['clusters'] = {};
        for (const [id, value] of clusters.entries()) {
          const v = value instanceof Y.Map ? value.toJSON() : value;
          if (v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string')
            named[id] = v as BoardState['clusters'][string];
        }
        const peers: Peer[] = [];
        for (const [clientId, s] of p.awareness.getStates()) {
          if (clientId === doc.clientID) continue;
          const user =
            (s as { user?: { name?: string; color?: string }; cursor?: { x: number; y: number } | null }) ?? {};
          if (!user.user?.name) continue;
          peers.push({ clientId, name: user.user.name, color: user.user.color ?? '#555', cursor: user.cursor ?? null });
        }
        setState((prev) => ({
          ...prev,
          cards: readCards(cards),
          clusters: named,
          peers,
          canUndo: manager.canUndo(),
          canRedo: manager.canRedo(),
        }));
      });
    };
    cards.observeDeep(refresh);
    clusters.observeDeep(refresh);
    p.awareness.on('change', refresh);
    manager.on('stack-item-added', refresh);
    manager.on('stack-item-popped', refresh);
    p.awareness.setLocalStateField('user', {
      name: me.name,
      color: colors[Math.abs(hashCode(me.id)) % colors.length],
    });
    p.on('sync', (synced: boolean) => {
      if (synced) setState((prev) => ({ ...prev, status: 'synced' }));
      refresh();
    });
    let restart: ReturnType<typeof setTimeout> | undefined;
    p.on('connection-close', (event: CloseEvent | null) => {
      if (!event || event.code < 4400 || event.code >= 4500) return;
      p.shouldConnect = false;
      if (event.code === 4403 && /read-only|may not|must be/i.test(event.reason)) {
        // A refused write: reload the board from the server.
        setState((prev) => ({ ...prev, status: 'connecting' }));
        restart = setTimeout(() => setGeneration((g) => g + 1), 500);
        return;
      }
      // No access (4401, 4404) or a board that cannot take more (4413): say so, do not retry.
      setState((prev) => ({ ...prev, status: 'closed', closeReason: event.reason || `Closed (${event.code})` }));
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(restart);
      manager.destroy();
      p.destroy();
      doc.destroy();
      provider.current = null;
    };
  }, [doc, sessionId, token, origin, me.id, me.name]);

  const move = useCallback(
    (positions: { id: string; x: number; y: number }[]) => {
      const cards = doc.getMap<unknown>('cards');
      doc.transact(() => {
        for (const { id, x, y } of positions) {
          const card = cards.get(id);
          if (card instanceof Y.Map) {
            card.set('x', Math.round(x));
            card.set('y', Math.round(y));
          }
        }
      }, origin);
    },
    [doc, origin],
  );

  const addNote = useCallback(
    (x: number, y: number, text: string, commentOn?: string) => {
      const id = `note-${me.id}-${Date.now().toString(36)}`;
      doc.transact(() => {
        const card = new Y.Map<unknown>();
        const fields = { kind: 'note', text, x: Math.round(x), y: Math.round(y), authorId: me.id };
        for (const [k, v] of Object.entries(commentOn ? { ...fields, commentOn } : fields)) card.set(k, v);
        doc.getMap('cards').set(id, card);
      }, origin);
      return id;
    },
    [doc, origin, me.id],
  );

  const group = useCallback(
    (cardIds: string[], name: string) => {
      const clusterId = `group-${Date.now().toString(36)}`;
      const cards = doc.getMap<unknown>('cards');
      doc.transact(() => {
        doc.getMap('clusters').set(clusterId, { name, size: cardIds.length });
        for (const id of cardIds) {
          const card = cards.get(id);
          if (card instanceof Y.Map) card.set('clusterId', clusterId);
        }
      }, origin);
    },
    [doc, origin],
  );

  const setCursor = useCallback((cursor: { x: number; y: number } | null) => {
    provider.current?.awareness.setLocalStateField('cursor', cursor);
  }, []);

  return {
    ...state,
    move,
    addNote,
    group,
    undo: () => undo.current?.undo(),
    redo: () => undo.current?.redo(),
    setCursor,
  };
}

function hashCode(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i += 1) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}
