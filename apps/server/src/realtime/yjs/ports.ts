/**
 * What a board room needs from the world, and nothing more: a socket it can send to and close, a
 * storage it can append to, and a log. The room imports no WebSocket library, web framework or
 * database driver; `index.ts` adapts `ws` and `store.ts` adapts the database (as tldraw's
 * `TLSocketRoom` takes a minimal socket and Hocuspocus's persistence is a hook).
 */

/** One client's connection, as the room sees it. */
export interface BoardSocket {
  /** Whether messages can still be sent. */
  readonly isOpen: boolean;
  /** Sends one binary y-websocket message; a failed send must end the connection, not throw. */
  send(message: Uint8Array): void;
  /** Closes with an application close code and a short reason (at most 123 bytes are kept). */
  close(code: number, reason: string): void;
  /**
   * Registers the one message listener. Messages that arrived before it was registered (a client
   * sends its first sync step as soon as the socket opens) are delivered to it first, in order.
   */
  onMessage(listener: (message: Uint8Array) => void): void;
  /** Adds a listener for the socket's end, whoever closed it. */
  onClose(listener: () => void): void;
  /**
   * Bytes handed to `send` and not yet written out to the network (`ws.bufferedAmount`): a reader
   * that stops reading makes it grow. Absent when the transport cannot tell.
   */
  readonly backlog?: number;
  /**
   * Stops reading the client's messages until `resume` (TCP then slows the client down), for
   * back-pressure on writers while storage catches up. Optional: without it, writers past the
   * room's bound are closed instead.
   */
  pause?(): void;
  resume?(): void;
}

/** A board as it is stored: a snapshot (or none) and the updates after it, in order. */
export interface StoredBoardState {
  readonly snapshot: { readonly state: Uint8Array; readonly upToSeq: number } | null;
  readonly updates: readonly { readonly seq: number; readonly update: Uint8Array }[];
}

/** Durable storage of boards. */
export interface BoardStorage {
  /** Reads a board's snapshot and later updates. */
  load(sessionId: string): Promise<StoredBoardState>;
  /** Resolves with the update's sequence number once it is durable. */
  append(sessionId: string, update: Uint8Array): Promise<number>;
  /** Replaces the snapshot with `state` and drops the updates it folds (up to `upToSeq`), atomically. */
  compact(sessionId: string, state: Uint8Array, upToSeq: number): Promise<void>;
  /**
   * Set when several nodes write the same boards: folds under a lock of the board, `fold` making
   * the new snapshot from the stored one (which another node may have written), and drops exactly
   * the updates `seqs`. Used instead of `compact` when present.
   */
  readonly compactShared?: (
    sessionId: string,
    fold: (stored: Uint8Array | null) => Promise<Uint8Array>,
    seqs: readonly number[],
  ) => Promise<void>;
}

/** A batch of committed updates of one board, as one node hands it to the others. */
export interface RelayedBatch {
  /** The stored sequence numbers of the updates merged into `update`. */
  readonly seqs: readonly number[];
  readonly update: Uint8Array;
  /**
   * Awareness updates (cursors) of the sending node's clients that came with these updates: a
   * moved card and its cursor reach the other nodes in one entry, and their clients in one write.
   */
  readonly presence?: readonly Uint8Array[];
}

/** What a room hears from the other nodes holding its board. */
export interface RelayListener {
  /** Updates another node committed (stored before they were relayed). */
  batch(batch: RelayedBatch): void;
  /** An awareness update (cursors) of another node's clients: never stored. */
  presence(update: Uint8Array): void;
  /** Relayed batches may have been missed (the relay was down, a node died): read storage again. */
  missed(): void;
}

/**
 * How the nodes holding one board hear each other (Redis streams between nodes; absent on a
 * single node). Storage stays the truth: what is relayed was stored first, and a node that may
 * have missed something catches up from storage.
 */
export interface BoardRelay {
  /**
   * Starts hearing a board's batches from other nodes. Resolves once the point from which they
   * are heard is fixed, so that loading the board from storage after it misses nothing.
   */
  follow(sessionId: string, listener: RelayListener): Promise<() => void>;
  /** Hands a committed batch to the other nodes (never fails: a failure shows as `missed` there). */
  publish(sessionId: string, batch: RelayedBatch): void;
  /** Hands an awareness update of this node's clients to the other nodes. */
  publishPresence(sessionId: string, update: Uint8Array): void;
}

/** The few log calls a room makes (pino's signature, so Fastify's logger fits). */
export interface BoardLog {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
