import {
  BoardKey,
  type Card,
  CardField,
  type CardFields,
  CardKind,
  closeIsFinal,
  closeMeansRefusedChange,
  closeMeansTryLater,
  type NamedCluster,
  readCards,
  readCluster,
} from '@calma/protocol/board';
import * as Y from 'yjs';
// With extensions, unlike the rest of the web app: tests/ compiles this file too, under NodeNext.
import { colorOf, type Peer, readPeers } from './board-presence.js';
import {
  type BoardClose,
  type BoardProvider,
  type BoardProviderFactory,
  type Scheduler,
  websocketProvider,
} from './board-provider.js';

export type { Peer } from './board-presence.js';
export type { BoardClose, BoardProvider, BoardProviderFactory, Scheduler } from './board-provider.js';
export { websocketProvider } from './board-provider.js';

/**
 * The session's board outside React: one Y.Doc synced by a provider (the stock y-websocket one in
 * the browser), read through the board contract of `@calma/protocol/board`, with the others'
 * cursors from awareness and undo/redo of this client's own edits. It imports no React and touches
 * no browser global: the server URL, the scheduler that batches refreshes and the provider are
 * given to it, so tests drive it with in-memory documents or a real server in Node.
 */

/** What the board shows; a new object only when something in it changed. */
export interface BoardSnapshot {
  readonly status: 'connecting' | 'synced' | 'closed';
  /** Why the server closed the board for good (a 44xx close reason), if it did. */
  readonly closeReason: string | null;
  readonly cards: readonly Card[];
  readonly clusters: Readonly<Record<string, NamedCluster>>;
  readonly peers: readonly Peer[];
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** How many times the board started over from a fresh document after the server refused a change. */
  readonly generation: number;
}

/** What a person does to the board. */
export interface BoardActions {
  move(positions: readonly { id: string; x: number; y: number }[]): void;
  /** A note (a comment when `commentOn` names the card it is about); returns its card id. */
  addNote(x: number, y: number, text: string, commentOn?: string): string;
  /** Rewrites a card's text (the server takes it from the card's author, or the moderator). */
  setText(id: string, text: string): void;
  /** Names the cards as one cluster. */
  group(cardIds: readonly string[], name: string): void;
  undo(): void;
  redo(): void;
  /** This person's pointer on the board, in board coordinates (null: off the board). */
  setCursor(cursor: { x: number; y: number } | null): void;
}

export interface BoardClientOptions {
  sessionId: string;
  token: string;
  /** This person on the board: the author id of their notes, and the name others see. */
  me: { id: string; name: string };
  /** The board endpoint, `ws(s)://host/yjs`. */
  serverUrl: string;
  /** Batches refreshes (requestAnimationFrame in the browser; synchronous or a microtask in tests). */
  schedule: Scheduler;
  createProvider?: BoardProviderFactory;
  /** Pause before starting over after a refused change, so a refusal cannot become a tight loop. */
  reloadDelayMs?: number;
  /** Least wait before reconnecting after "try again later" (4429, 4408); up to twice it, at random (3 s). */
  retryLaterMs?: number;
  /** Clock for new card and cluster ids. */
  now?: () => number;
}

const isYMap = (value: unknown): value is CardFields => value instanceof Y.Map;

const initialSnapshot: BoardSnapshot = {
  status: 'connecting',
  closeReason: null,
  cards: [],
  clusters: {},
  peers: [],
  canUndo: false,
  canRedo: false,
  generation: 0,
};

/** One document and its connection; a refused change replaces the whole generation. */
interface Generation {
  readonly doc: Y.Doc;
  readonly provider: BoardProvider;
  readonly undo: Y.UndoManager;
  /** Whether this document has synced with the server at least once. */
  synced: boolean;
  dispose(): void;
}

type Patch = { -readonly [K in keyof BoardSnapshot]?: BoardSnapshot[K] };

/**
 * The board of one session for one person. `start()` connects, `stop()` lets go of everything
 * (and `start()` again begins with a fresh document); `subscribe`/`getSnapshot` fit React's
 * `useSyncExternalStore`.
 */
export class BoardClient implements BoardActions {
  private snapshot: BoardSnapshot = initialSnapshot;
  private readonly listeners = new Set<() => void>();
  /** This client's transactions: the undo manager tracks this origin only, so undo never takes back others' edits. */
  private readonly origin = { local: true };
  private current: Generation | null = null;
  private generation = 0;
  private readonly dirty = { cards: false, clusters: false, peers: false };
  private refreshScheduled = false;
  private cancelRefresh: (() => void) | null = null;
  private restart: ReturnType<typeof setTimeout> | undefined;
  private lastBase = '';
  private sameBase = 0;

  constructor(private readonly options: BoardClientOptions) {}

  /** Calls `listener` after each change of the snapshot; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The board as it is now; the same object until something changes. */
  getSnapshot = (): BoardSnapshot => this.snapshot;

  /** Connects (a no-op while connected). */
  start(): void {
    if (this.current) return;
    this.update({ status: 'connecting', closeReason: null });
    this.open();
  }

  /** Disconnects and frees the document; the snapshot stays as it was. */
  stop(): void {
    clearTimeout(this.restart);
    this.restart = undefined;
    this.cancelRefresh?.();
    this.cancelRefresh = null;
    this.refreshScheduled = false;
    this.current?.dispose();
    this.current = null;
  }

  move = (positions: readonly { id: string; x: number; y: number }[]): void => {
    this.edit((doc) => {
      const cards = doc.getMap<unknown>(BoardKey.cards);
      for (const { id, x, y } of positions) {
        const card = cards.get(id);
        if (!(card instanceof Y.Map)) continue;
        card.set(CardField.x, Math.round(x));
        card.set(CardField.y, Math.round(y));
      }
    });
  };

  addNote = (x: number, y: number, text: string, commentOn?: string): string => {
    const id = this.newId(`note-${this.options.me.id}`);
    this.edit((doc) => {
      const card = new Y.Map<unknown>();
      card.set(CardField.kind, CardKind.note);
      card.set(CardField.text, text);
      card.set(CardField.x, Math.round(x));
      card.set(CardField.y, Math.round(y));
      card.set(CardField.authorId, this.options.me.id);
      if (commentOn) card.set(CardField.commentOn, commentOn);
      doc.getMap<unknown>(BoardKey.cards).set(id, card);
    });
    return id;
  };

  setText = (id: string, text: string): void => {
    this.edit((doc) => {
      const card = doc.getMap<unknown>(BoardKey.cards).get(id);
      if (card instanceof Y.Map && card.get(CardField.text) !== text) card.set(CardField.text, text);
    });
  };

  group = (cardIds: readonly string[], name: string): void => {
    const clusterId = this.newId('group');
    this.edit((doc) => {
      const cards = doc.getMap<unknown>(BoardKey.cards);
      doc.getMap<unknown>(BoardKey.clusters).set(clusterId, { name, size: cardIds.length });
      for (const id of cardIds) {
        const card = cards.get(id);
        if (card instanceof Y.Map) card.set(CardField.clusterId, clusterId);
      }
    });
  };

  undo = (): void => {
    this.current?.undo.undo();
  };

  redo = (): void => {
    this.current?.undo.redo();
  };

  setCursor = (cursor: { x: number; y: number } | null): void => {
    this.current?.provider.awareness.setLocalStateField('cursor', cursor);
  };

  private edit(change: (doc: Y.Doc) => void): void {
    const doc = this.current?.doc;
    if (doc) doc.transact(() => change(doc), this.origin);
  }

  /** `prefix-<time in base 36>`, with a counter for a second id in the same millisecond. */
  private newId(prefix: string): string {
    const base = `${prefix}-${(this.options.now ?? Date.now)().toString(36)}`;
    this.sameBase = base === this.lastBase ? this.sameBase + 1 : 0;
    this.lastBase = base;
    return this.sameBase === 0 ? base : `${base}-${this.sameBase}`;
  }

  private open(): void {
    const { sessionId, token, serverUrl, me } = this.options;
    const doc = new Y.Doc();
    const cards = doc.getMap<unknown>(BoardKey.cards);
    const clusters = doc.getMap<unknown>(BoardKey.clusters);
    const provider = (this.options.createProvider ?? websocketProvider)({ serverUrl, room: sessionId, doc, token });
    const undo = new Y.UndoManager([cards, clusters], { trackedOrigins: new Set([this.origin]), captureTimeout: 300 });
    const onCards = () => this.invalidate('cards');
    const onClusters = () => this.invalidate('clusters');
    const onAwareness = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      // This client's own cursor changes nothing it shows.
      if ([...added, ...updated, ...removed].some((id) => id !== doc.clientID)) this.invalidate('peers');
    };
    const onUndoStack = () => this.requestRefresh();
    const onSync = (synced: boolean) => {
      if (this.current !== generation) return;
      if (synced) {
        generation.synced = true;
        this.update({ status: 'synced' });
      }
      this.invalidate('cards', 'clusters', 'peers');
    };
    const onClose = (event: BoardClose | null) => {
      if (this.current !== generation || !event) return;
      const { code } = event;
      if (closeMeansRefusedChange(code) && generation.synced) {
        // This client's own change was refused (e.g. a drag as the board turned read-only). The
        // document still holds it, so a reconnect would send it again: start over from a fresh one.
        provider.shouldConnect = false;
        this.update({ status: 'connecting' });
        this.restart = setTimeout(() => this.reload(), this.options.reloadDelayMs ?? 500);
      } else if (closeMeansTryLater(code)) {
        // Too fast, or the board is busy storing (4429), or the socket said nothing in time (4408):
        // wait, then reconnect with the same document, which re-sends what was not acknowledged.
        provider.shouldConnect = false;
        this.update({ status: 'connecting' });
        const wait = (this.options.retryLaterMs ?? 3_000) * (1 + Math.random());
        this.restart = setTimeout(() => {
          this.restart = undefined;
          if (this.current !== generation) return;
          provider.shouldConnect = true;
          provider.connect();
        }, wait);
      } else if (closeIsFinal(code) || closeMeansRefusedChange(code) || (code >= 4400 && code < 4500)) {
        // No access (4401, 4404), a board that takes no more (4413), a refusal before the first
        // sync (the server refused the connection itself: a fresh document would fare no better),
        // or another 44xx, after which y-websocket does not reconnect either: say so, stop.
        provider.shouldConnect = false;
        this.update({ status: 'closed', closeReason: event.reason || `Closed (${code})` });
      }
      // Anything else (a network drop, 1001 going away, 1011 storage failed): the provider
      // reconnects with the same document, which still holds every edit not yet acknowledged.
    };
    const generation: Generation = {
      doc,
      provider,
      undo,
      synced: false,
      dispose() {
        cards.unobserveDeep(onCards);
        clusters.unobserveDeep(onClusters);
        provider.awareness.off('change', onAwareness);
        provider.off('sync', onSync);
        provider.off('connection-close', onClose);
        undo.destroy();
        provider.destroy();
        doc.destroy();
      },
    };
    this.current = generation;
    cards.observeDeep(onCards);
    clusters.observeDeep(onClusters);
    provider.awareness.on('change', onAwareness);
    undo.on('stack-item-added', onUndoStack);
    undo.on('stack-item-popped', onUndoStack);
    provider.on('sync', onSync);
    provider.on('connection-close', onClose);
    provider.awareness.setLocalStateField('user', { name: me.name, color: colorOf(me.id) });
    this.requestRefresh();
  }

  private reload(): void {
    this.restart = undefined;
    this.current?.dispose();
    this.current = null;
    this.generation += 1;
    this.update({ generation: this.generation });
    this.open();
  }

  private invalidate(...parts: ('cards' | 'clusters' | 'peers')[]): void {
    for (const part of parts) this.dirty[part] = true;
    this.requestRefresh();
  }

  private requestRefresh(): void {
    if (this.refreshScheduled) return;
    // Set before scheduling: a synchronous scheduler runs the task before `schedule` returns.
    this.refreshScheduled = true;
    this.cancelRefresh = this.options.schedule(() => {
      this.refreshScheduled = false;
      this.cancelRefresh = null;
      this.refresh();
    });
  }

  private refresh(): void {
    const generation = this.current;
    if (!generation) return;
    const { doc, provider, undo } = generation;
    const patch: Patch = { canUndo: undo.canUndo(), canRedo: undo.canRedo() };
    if (this.dirty.cards) patch.cards = readCards(doc.getMap<unknown>(BoardKey.cards), isYMap);
    if (this.dirty.clusters) {
      const clusters = readClusters(doc.getMap<unknown>(BoardKey.clusters));
      if (!sameJson(clusters, this.snapshot.clusters)) patch.clusters = clusters;
    }
    if (this.dirty.peers) {
      const peers = readPeers(provider.awareness, doc.clientID);
      if (!sameJson(peers, this.snapshot.peers)) patch.peers = peers;
    }
    this.dirty.cards = this.dirty.clusters = this.dirty.peers = false;
    this.update(patch);
  }

  /** Applies `patch`; a new snapshot (and listeners told) only when a field really changed. */
  private update(patch: Patch): void {
    const next: BoardSnapshot = { ...this.snapshot, ...patch };
    const changed = (Object.keys(patch) as (keyof BoardSnapshot)[]).some((key) => next[key] !== this.snapshot[key]);
    if (!changed) return;
    this.snapshot = next;
    for (const listener of [...this.listeners]) listener();
  }
}

function readClusters(clusters: Y.Map<unknown>): Record<string, NamedCluster> {
  const named: Record<string, NamedCluster> = {};
  for (const [id, value] of clusters.entries()) {
    const cluster = readCluster(value instanceof Y.Map ? value.toJSON() : value);
    if (cluster) named[id] = cluster;
  }
  return named;
}

/** For the small plain values compared here (peers, clusters): equal when their JSON is. */
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
