import type { Principal } from '@calma/core';
import { BoardKey, CardField, CloseCode } from '@calma/protocol/board';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { defaultRateLimits } from '../rate.js';
import type { BoardLog, BoardSocket, BoardStorage, StoredBoardState } from './ports.js';
import { type BoardLimits, BoardRoom } from './room.js';

/**
 * A seeded simulation of one board room and 2–8 stock y-websocket clients (participants, a
 * moderator, sometimes an analyst or a second tab of the same person) over a network that keeps
 * each connection's order in each direction (TCP) but interleaves connections, with random
 * delays. People make the edits they may and undo them; they disconnect and come back with the
 * document they kept (re-sending what the room has not stored yet: duplicates), lose connections
 * mid-flight; storage holds appends back for random spans and compacts often; the server adds
 * label cards and restarts. Once everything has drained, every client's board must equal the
 * room's, the room's the accepted probe's, and a board reloaded from storage the room's; no legal
 * edit may have been refused, and every card keeps the author who made it.
 *
 * The population CI runs (`ciOptions`) leaves out three kinds of edit that known server bugs
 * refuse (edits that reach the room late, edits before the client has synced, a key set twice in
 * one transaction); `regressions` keeps a failing seed of each bug as an expected failure.
 *
 * Deterministic for a seed: the one randomness outside the seed is the room's own Yjs client ids,
 * which key its `writers` records and label its server changes (new cards nobody edits at the
 * same moment), so they decide no conflict the checks look at.
 *
 * By hand: `CALMA_SIM_SEEDS=2000` runs more seeds, `CALMA_SIM_SEED=51750` one seed,
 * `CALMA_SIM_OPTIONS='{"lateEdits":true}'` another population, `CALMA_SIM_TRACE=1` prints the
 * whole run (and each refused update's structs) with a failure.
 */

const tracing = Boolean(process.env.CALMA_SIM_TRACE);

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: small, fast, and good enough to choose what happens next. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[this.int(items.length)] as T;
  }
  /** One of the keys, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    let r = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, weight] of entries) {
      r -= weight;
      if (r < 0) return key;
    }
    return (entries.at(-1) as [K, number])[0];
  }
}

// ---------------------------------------------------------------------------------------------
// The network: first-in first-out per connection and direction, any order across them

interface Frame {
  readonly at: number;
  /** Carries an edit of its client's (an update it made, not a sync answer or presence). */
  readonly edit: boolean;
  readonly run: () => void;
}

/** One direction of one connection. */
class Pipe {
  readonly frames: Frame[] = [];
  last = 0;
  get carriesEdits(): boolean {
    return this.frames.some((f) => f.edit);
  }
}

class Network {
  now = 0;
  private pipes: Pipe[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly maxDelay: number,
  ) {}

  /** Queues `run` on `pipe` after a random delay, never before what the pipe already carries. */
  send(pipe: Pipe, run: () => void, edit = false): void {
    const at = Math.max(pipe.last, this.now + this.rng.int(this.maxDelay + 1));
    pipe.last = at;
    pipe.frames.push({ at, edit, run });
    if (pipe.frames.length === 1) this.pipes.push(pipe);
  }

  /** Loses everything in flight on `pipe` (a connection reset). */
  cut(pipe: Pipe): void {
    pipe.frames.length = 0;
  }

  get idle(): boolean {
    return this.pipes.every((p) => p.frames.length === 0);
  }

  /** Whether a client's edit is on its way to the server on any connection, current or closing. */
  get editsInFlight(): boolean {
    return this.pipes.some((p) => p.carriesEdits);
  }

  /** Delivers one frame whose time has come, from a pipe chosen at random; false when nothing is in flight. */
  deliverOne(): boolean {
    this.pipes = this.pipes.filter((p) => p.frames.length > 0);
    if (this.pipes.length === 0) return false;
    const head = (p: Pipe) => (p.frames[0] as Frame).at;
    if (!this.pipes.some((p) => head(p) <= this.now)) this.now = Math.min(...this.pipes.map(head));
    const pipe = this.rng.pick(this.pipes.filter((p) => head(p) <= this.now));
    (pipe.frames.shift() as Frame).run();
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// The server's ends: a socket per connection, and storage that can be held back

/** The server's end of one connection; what it sends travels down the connection's pipe. */
class SimSocket implements BoardSocket {
  isOpen = true;
  /** The last frame it received, to show a refused update when tracing. */
  last: Uint8Array | null = null;
  private listener: ((message: Uint8Array) => void) | null = null;
  private readonly early: Uint8Array[] = [];
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly toClient: (message: Uint8Array) => void,
    private readonly closeToClient: (code: number, reason: string) => void,
  ) {}

  send(message: Uint8Array): void {
    if (this.isOpen) this.toClient(message);
  }
  close(code: number, reason: string): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.closeToClient(code, reason);
    for (const listener of this.closeListeners) listener();
  }
  onMessage(listener: (message: Uint8Array) => void): void {
    this.listener = listener;
    for (const message of this.early.splice(0)) listener(message);
  }
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }
  /** A frame from the client arrives. */
  receive(message: Uint8Array): void {
    if (!this.isOpen) return;
    this.last = message;
    if (this.listener) this.listener(message);
    else this.early.push(message);
  }
  /** The client's close (or a reset) arrives. */
  ended(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    for (const listener of this.closeListeners) listener();
  }
}

/**
 * Storage in memory that commits in order, as the group commit does: while held, appends wait
 * (and later ones queue behind them); compaction replaces the snapshot and drops what it folds.
 */
class SimStorage implements BoardStorage {
  snapshot: { state: Uint8Array; upToSeq: number } | null = null;
  updates: { seq: number; update: Uint8Array }[] = [];
  private held: (() => void)[] = [];
  private holding = false;
  private seq = 0;

  async load(): Promise<StoredBoardState> {
    return { snapshot: this.snapshot, updates: [...this.updates] };
  }
  append(_sessionId: string, update: Uint8Array): Promise<number> {
    return new Promise((resolve) => {
      const commit = () => {
        this.seq += 1;
        this.updates.push({ seq: this.seq, update });
        resolve(this.seq);
      };
      if (this.holding || this.held.length > 0) this.held.push(commit);
      else commit();
    });
  }
  async compact(_sessionId: string, state: Uint8Array, upToSeq: number): Promise<void> {
    this.snapshot = { state, upToSeq };
    this.updates = this.updates.filter((u) => u.seq > upToSeq);
  }
  get pending(): number {
    return this.held.length;
  }
  hold(): void {
    this.holding = true;
  }
  /** Commits the `count` oldest held appends. */
  release(count: number): void {
    for (const commit of this.held.splice(0, count)) commit();
  }
  resume(): void {
    this.holding = false;
    this.release(this.held.length);
  }
}

const quiet: BoardLog = { debug: () => undefined, warn: () => undefined, error: () => undefined };

// ---------------------------------------------------------------------------------------------
// The clients: what the stock y-websocket provider does, one connection at a time

const messageSync = 0;
const messageAwareness = 1;

function frame(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** A connection: its two pipes and the server's socket. */
interface Link {
  readonly up: Pipe;
  readonly down: Pipe;
  readonly socket: SimSocket;
}

/**
 * `offline`: no connection; edits stay in the document. `opening`: connected, the server's step 1
 * not answered yet. `open`: this client's step 2 has gone out; later edits follow it. `synced`:
 * the server's step 2 has arrived too (the provider's `synced`).
 */
type PeerState = 'offline' | 'opening' | 'open' | 'synced';

class Peer {
  readonly doc = new Y.Doc();
  readonly awareness: awarenessProtocol.Awareness;
  /** The web app's undo: this client's own transactions only. */
  readonly undo: Y.UndoManager;
  readonly local = { local: true };
  link: Link | null = null;
  /** The connection before this one, which may still carry edits to the server. */
  private previous: Link | null = null;
  state: PeerState = 'offline';
  /** A 44xx close: the stock client stops there. */
  refusal: { code: number; reason: string } | null = null;
  made = 0;

  constructor(
    readonly name: string,
    readonly principal: Principal,
    clientId: number,
    private readonly sim: Simulation,
  ) {
    this.doc.clientID = clientId;
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.undo = new Y.UndoManager([this.doc.getMap(BoardKey.cards), this.doc.getMap(BoardKey.clusters)], {
      trackedOrigins: new Set([this.local]),
      captureTimeout: 0,
    });
    // As the provider: every change not received from the server is sent, if connected.
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this)
        this.sendLive(
          frame(messageSync, (e) => syncProtocol.writeUpdate(e, update)),
          true,
        );
    });
    this.awareness.on('update', ({ added, updated, removed }: Record<string, number[]>) => {
      const changed = [...(added ?? []), ...(updated ?? []), ...(removed ?? [])];
      this.sendLive(this.presence(changed));
    });
    // What this client's own transactions (edits, undo, redo) remove, for the existence check.
    this.doc.getMap(BoardKey.cards).observe((event) => {
      if (event.transaction.origin === this) return;
      for (const [key, change] of event.changes.keys) if (change.action !== 'add') this.sim.expect.removed.add(key);
    });
  }

  /** Who this client writes as on a card. */
  get authorId(): string {
    return this.principal.role === 'participant' ? this.principal.participantId : this.principal.role;
  }

  /**
   * Whether an edit made now reaches the room on this connection, no catch-up step 2 needed (the
   * simulator knows whether the server has closed the socket; a client would learn it later).
   */
  get editsArrive(): boolean {
    return this.state !== 'offline' && this.link?.socket.isOpen === true;
  }

  /** Whether edits sent on the previous connection are still on their way. */
  get editsBehind(): boolean {
    return this.previous?.up.carriesEdits === true;
  }

  private presence(clients: number[]): Uint8Array {
    return frame(messageAwareness, (e) =>
      encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients)),
    );
  }

  private sendLive(message: Uint8Array, edit = false): void {
    const link = this.link;
    if (link && this.state !== 'offline') this.sim.net.send(link.up, () => link.socket.receive(message), edit);
  }

  /** Opens a connection: the server admits it; the client sends its step 1 and presence. */
  connect(): void {
    const net = this.sim.net;
    const up = new Pipe();
    const down = new Pipe();
    const socket: SimSocket = new SimSocket(
      (message) => net.send(down, () => this.receive(link, message)),
      (code, reason) => {
        this.sim.closes.push({ peer: this.name, code, reason });
        if (tracing && code !== CloseCode.goingAway && socket.last)
          this.sim.log(`room closes ${this.name} (${code} ${reason}) after ${describeMessage(socket.last)}`);
        net.send(down, () => this.closedByServer(link, code, reason));
      },
    );
    const link: Link = { up, down, socket };
    this.link = link;
    this.state = 'opening';
    this.sim.room.connect(socket, this.principal);
    this.sendLive(frame(messageSync, (e) => syncProtocol.writeSyncStep1(e, this.doc)));
    if (this.awareness.getLocalState() !== null) this.sendLive(this.presence([this.doc.clientID]));
  }

  /** Closes the connection: what was sent still arrives, then the close. */
  disconnect(): void {
    const link = this.leave();
    if (link) this.sim.net.send(link.up, () => link.socket.ended());
  }

  /** Loses the connection: what is in flight either way is gone; the server notices later. */
  drop(): void {
    const link = this.leave();
    if (!link) return;
    this.sim.net.cut(link.up);
    this.sim.net.cut(link.down);
    this.sim.net.send(link.up, () => link.socket.ended());
  }

  private leave(): Link | null {
    const link = this.link;
    this.previous = link ?? this.previous;
    this.link = null;
    this.state = 'offline';
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    return link;
  }

  private receive(link: Link, message: Uint8Array): void {
    if (link !== this.link) return;
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    if (type === messageSync) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, messageSync);
      const syncType = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this, (err) =>
        this.sim.problems.push(`${this.name} could not apply an update: ${String(err)}`),
      );
      if (encoding.length(encoder) > 1) this.sendLive(encoding.toUint8Array(encoder));
      if (syncType === syncProtocol.messageYjsSyncStep1 && this.state === 'opening') this.state = 'open';
      if (syncType === syncProtocol.messageYjsSyncStep2) this.state = 'synced';
    } else if (type === messageAwareness) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
    }
  }

  private closedByServer(link: Link, code: number, reason: string): void {
    if (link !== this.link) return;
    this.leave();
    if (code >= 4400 && code < 4500) this.refusal = { code, reason };
  }

  destroy(): void {
    this.undo.destroy();
    this.awareness.destroy();
    this.doc.destroy();
  }
}

/** A sync message's update, struct by struct, for a trace. */
function describeMessage(message: Uint8Array): string {
  const decoder = decoding.createDecoder(message);
  if (decoding.readVarUint(decoder) !== messageSync) return 'a presence message';
  const syncType = decoding.readVarUint(decoder);
  if (syncType === syncProtocol.messageYjsSyncStep1) return 'a sync step 1';
  const { structs, ds } = Y.decodeUpdate(decoding.readVarUint8Array(decoder));
  const id = (i: Y.ID | null) => (i ? `${i.client}:${i.clock}` : '-');
  const lines = structs.map((s) => {
    if (!(s instanceof Y.Item)) return `${s.constructor.name} ${id(s.id)}+${s.length}`;
    const parent = s.parent instanceof Y.ID ? id(s.parent) : String(s.parent);
    return `${id(s.id)}+${s.length} origin ${id(s.origin)} parent ${parent}.${s.parentSub} ${s.content.constructor.name}`;
  });
  const deletes = [...ds.clients].map(([client, ranges]) => `${client}:${ranges.map((r) => `${r.clock}+${r.len}`)}`);
  return `${syncType === 1 ? 'step 2' : 'update'}\n      ${lines.join('\n      ')}\n      deletes ${deletes.join(' ')}`;
}

// ---------------------------------------------------------------------------------------------
// What people do

const sharedClusters = ['k1', 'k2', 'k3'];
const editWeights = { add: 4, move: 5, text: 2, remove: 1, cluster: 2, clusters: 1, undo: 1, redo: 0.5 };

/** One transaction of legal edits (one to three), or an undo or a redo; returns what it did. */
function edit(peer: Peer, rng: Rng, sim: Simulation): string {
  const cards = peer.doc.getMap<Y.Map<unknown>>(BoardKey.cards);
  const clusters = peer.doc.getMap<unknown>(BoardKey.clusters);
  const ids = [...cards.keys()].sort();
  // Participants change only their own cards' content; moderators anyone's.
  const own = ids.filter(
    (id) => peer.principal.role !== 'participant' || cards.get(id)?.get(CardField.authorId) === peer.authorId,
  );
  const done: string[] = [];
  const touched = new Set<string>();
  /** Whether this transaction may set `key` (again). */
  const touch = (...keys: string[]) => {
    if (!sim.options.sameKeyTwice && keys.some((k) => touched.has(k))) return false;
    for (const k of keys) touched.add(k);
    return true;
  };
  const one = () => {
    const op = rng.weighted(editWeights);
    if (op === 'undo' || op === 'redo') return done.push(op); // after the transaction: each makes its own
    if (op === 'add' || ids.length === 0) {
      peer.made += 1;
      const id = `${peer.name}-${peer.made}`;
      const card = new Y.Map<unknown>();
      const kind =
        peer.principal.role === 'participant' ? rng.pick(['note', 'label']) : rng.pick(['note', 'attribute']);
      const text = `${id} v0`;
      card.set(CardField.kind, kind);
      card.set(CardField.text, text);
      card.set(CardField.x, rng.int(1000));
      card.set(CardField.y, rng.int(1000));
      card.set(CardField.authorId, peer.authorId);
      cards.set(id, card);
      touch(id);
      sim.expect.created.set(id, peer.authorId);
      sim.expect.texts.set(id, new Set([text]));
      return done.push(`add ${id}`);
    }
    if ((op === 'text' || op === 'remove') && own.length > 0) {
      const id = rng.pick(own);
      if (op === 'remove') {
        if (!touch(id)) return;
        cards.delete(id);
        return done.push(`remove ${id}`);
      }
      if (!touch(`${id}.text`)) return;
      const text = `${id} by ${peer.name} #${rng.int(1000)}`;
      sim.expect.texts.get(id)?.add(text);
      cards.get(id)?.set(CardField.text, text);
      return done.push(`text ${id}`);
    }
    if (op === 'cluster' || op === 'clusters') {
      // Clusters are everyone's, and a few shared ids make people write the same keys at once.
      const clusterId = rng.pick(sharedClusters);
      if (!touch(`cluster ${clusterId}`)) return;
      if (op === 'clusters' && clusters.has(clusterId) && rng.chance(0.4)) {
        clusters.delete(clusterId);
        return done.push(`drop cluster ${clusterId}`);
      }
      clusters.set(clusterId, { name: `${clusterId} by ${peer.name}`, size: rng.int(5) });
      const id = rng.pick(ids);
      if (touch(`${id}.clusterId`)) cards.get(id)?.set(CardField.clusterId, clusterId);
      return done.push(`cluster ${id} in ${clusterId}`);
    }
    // Anyone moves anyone's card; a drag sometimes lands twice in one transaction.
    const id = rng.pick(ids);
    const card = cards.get(id);
    const field = rng.pick([CardField.x, CardField.z, CardField.color]);
    if (!touch(`${id}.x`, `${id}.y`)) return;
    card?.set(CardField.x, rng.int(1000));
    card?.set(CardField.y, rng.int(1000));
    if (rng.chance(0.3) && touch(`${id}.${field}`)) card?.set(field, rng.int(50));
    return done.push(`move ${id}`);
  };
  peer.doc.transact(() => {
    const count = rng.chance(0.2) ? rng.between(2, 3) : 1;
    for (let i = 0; i < count; i++) one();
  }, peer.local);
  for (const step of done) {
    if (step === 'undo') peer.undo.undo();
    if (step === 'redo') peer.undo.redo();
  }
  return done.join(', ') || 'nothing';
}

// ---------------------------------------------------------------------------------------------
// One run

/** Who the people are and what they do; the CI population leaves out what known bugs break. */
interface SimOptions {
  readonly steps: number;
  /**
   * Edits the room gets only later, in a catch-up step 2 (or an update that depends on one):
   * made offline, in flight when a connection drops or the server restarts, or still in flight
   * on a closed connection when the next one catches up (connections keep no order between
   * them). Off, every edit reaches the room on the connection it was made on before anything
   * else of that client's, and a step 2 re-sends only what the room has (duplicates).
   */
  readonly lateEdits: boolean;
  /**
   * Edits before the client has synced (the server's step 2 has not arrived), on a view that may
   * be stale, as the web app and the stock provider allow.
   */
  readonly editsBeforeSync: boolean;
  /** One transaction may set the same key twice (a card moved, then moved again). */
  readonly sameKeyTwice: boolean;
}
const ciOptions: SimOptions = { steps: 800, lateEdits: true, editsBeforeSync: true, sameKeyTwice: true };

const actionWeights = {
  deliver: 50,
  edit: 14,
  cursor: 2,
  disconnect: 2,
  drop: 1,
  reconnect: 5,
  hold: 2,
  release: 3,
  settle: 6,
  microtasks: 4,
  server: 1,
  restart: 0.4,
};

const running = { segment: 2, status: 'running', boardLocked: false } as const;

class Simulation {
  readonly rng: Rng;
  readonly net: Network;
  readonly storage = new SimStorage();
  readonly limits: BoardLimits;
  readonly peers: Peer[] = [];
  /** Every close the room sent. */
  readonly closes: { peer: string; code: number; reason: string }[] = [];
  readonly problems: string[] = [];
  readonly trace: string[] = [];
  readonly expect = {
    /** Card id → the author it was created with. */
    created: new Map<string, string>(),
    /** Card id → every text it was given. */
    texts: new Map<string, Set<string>>(),
    /** Card ids some client's own transaction removed (an undo may bring one back). */
    removed: new Set<string>(),
  };
  room!: BoardRoom;
  private labels = 0;

  constructor(
    readonly seed: number,
    readonly options: SimOptions,
  ) {
    this.rng = new Rng(seed);
    this.net = new Network(this.rng, this.rng.between(0, 8));
    this.limits = {
      maxUpdateBytes: 1024 * 1024,
      maxDocBytes: 64 * 1024 * 1024,
      compactEvery: this.rng.between(3, 40),
      // Rates are not what this checks: a run sends a few hundred updates within milliseconds.
      rates: { ...defaultRateLimits, updatesPerSecond: 1e9, updateBurst: 1e9 },
    };
  }

  log(line: string): void {
    this.trace.push(`${this.net.now}: ${line}`);
  }

  async start(): Promise<void> {
    this.room = await BoardRoom.load('s1', 'g', running, this.storage, this.limits, quiet);
    const participants: string[] = [];
    const count = this.rng.between(2, 8);
    for (let i = 0; i < count; i++) {
      let principal: Principal;
      if (i === 0 && this.rng.chance(0.7)) principal = { role: 'moderator', groupId: 'g' };
      else if (this.rng.chance(0.08)) principal = { role: 'analyst', groupId: 'g' };
      else {
        // Sometimes a second tab of someone already here: another document, the same person.
        const again = participants.length > 0 && this.rng.chance(0.15);
        const id = again ? this.rng.pick(participants) : `p${participants.length + 1}`;
        if (!again) participants.push(id);
        principal = { role: 'participant', groupId: 'g', participantId: id, displayName: id };
      }
      const who = principal.role === 'participant' ? principal.participantId : principal.role;
      // Client ids from the seed (Yjs orders concurrent inserts by them), distinct by construction.
      const peer = new Peer(`${who}.${i}`, principal, i * 2 ** 26 + 1 + this.rng.int(2 ** 26), this);
      this.peers.push(peer);
      if (this.rng.chance(0.8)) peer.connect();
    }
  }

  async run(): Promise<void> {
    for (let step = 0; step < this.options.steps; step++) await this.step();
  }

  private async step(): Promise<void> {
    const { rng, options } = this;
    const action = rng.weighted(actionWeights);
    const peer = rng.pick(this.peers);
    switch (action) {
      case 'edit':
        if (peer.principal.role === 'analyst' || peer.refusal) return;
        if (!options.lateEdits && !peer.editsArrive) return;
        if (!options.editsBeforeSync && peer.state !== 'synced' && peer.state !== 'offline') return;
        this.log(`${peer.name} (${peer.state}) ${edit(peer, rng, this)}`);
        return;
      case 'cursor':
        peer.awareness.setLocalStateField('cursor', { x: rng.int(1000), y: rng.int(1000) });
        return;
      case 'disconnect':
      case 'drop':
        if (!peer.link || (action === 'drop' && !options.lateEdits && peer.link.up.carriesEdits)) return;
        this.log(`${peer.name} ${action}s`);
        if (action === 'drop') peer.drop();
        else peer.disconnect();
        return;
      case 'reconnect':
        if (peer.link || peer.refusal || (!options.lateEdits && peer.editsBehind)) return;
        this.log(`${peer.name} connects`);
        peer.connect();
        return;
      case 'hold':
        this.storage.hold();
        return;
      case 'release':
        this.storage.release(rng.chance(0.3) ? this.storage.pending : rng.between(1, 4));
        if (rng.chance(0.3)) this.storage.resume();
        return;
      case 'settle':
        await new Promise((resolve) => setImmediate(resolve));
        return;
      case 'microtasks':
        for (let i = rng.between(1, 6); i > 0; i--) await Promise.resolve();
        return;
      case 'server':
        this.serverChange();
        return;
      case 'restart':
        if (!options.lateEdits && this.net.editsInFlight) return;
        await this.restart();
        return;
      default:
        this.net.deliverOne();
    }
  }

  /** A label card placed by the server, as `labels-added` does. */
  private serverChange(): void {
    this.labels += 1;
    const id = `label-L${this.labels}`;
    const text = `label ${this.labels}`;
    this.log(`server adds ${id}`);
    this.room.applyServerChange((doc) => {
      const card = new Y.Map<unknown>();
      card.set(CardField.kind, 'label');
      card.set(CardField.text, text);
      card.set(CardField.x, this.labels * 10);
      card.set(CardField.y, 0);
      card.set(CardField.authorId, 'system');
      card.set(CardField.labelId, `L${this.labels}`);
      doc.getMap(BoardKey.cards).set(id, card);
      doc.getMap(BoardKey.labelCards).set(`L${this.labels}`, true);
    });
    this.expect.created.set(id, 'system');
    this.expect.texts.set(id, new Set([text]));
  }

  /** What the server does on shutdown (and a room on unload): flush, fold, close with 1001; then load again. */
  private async restart(): Promise<void> {
    this.log('server restarts');
    this.storage.resume();
    await this.room.flushed();
    await this.room.compact(true);
    this.room.close(CloseCode.goingAway, 'Server shutting down');
    this.room = await BoardRoom.load('s1', 'g', running, this.storage, this.limits, quiet);
  }

  /**
   * Lets everything in flight arrive and everything accepted be stored and sent; a client the
   * server closed comes back, as the provider does after anything but a 44xx.
   */
  async drain(): Promise<void> {
    this.storage.resume();
    for (let round = 0; round < 1000; round++) {
      while (this.net.deliverOne());
      await this.room.flushed();
      await new Promise((resolve) => setImmediate(resolve));
      const away = this.peers.filter((peer) => !peer.link && !peer.refusal);
      for (const peer of away) peer.connect();
      if (this.net.idle && away.length === 0) return;
    }
    throw new Error(`seed ${this.seed}: the network never went quiet`);
  }

  destroy(): void {
    this.room.close(CloseCode.goingAway, 'done');
    for (const peer of this.peers) peer.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing boards

const roots = [BoardKey.cards, BoardKey.clusters, BoardKey.labelCards, BoardKey.writers] as const;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

/** The board's content, key order aside. */
const contentOf = (doc: Y.Doc) =>
  JSON.stringify(canonical(Object.fromEntries(roots.map((root) => [root, doc.getMap(root).toJSON()]))));

const stateVector = (doc: Y.Doc) => Buffer.from(Y.encodeStateVector(doc));

/** Whether two documents hold the same board: state vector, deletions and content. */
function sameBoard(a: Y.Doc, b: Y.Doc): boolean {
  return (
    stateVector(a).equals(stateVector(b)) &&
    Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b)) &&
    contentOf(a) === contentOf(b)
  );
}

/** Where two boards differ first, to say so. */
function difference(a: Y.Doc, b: Y.Doc): string {
  const cardsA = a.getMap(BoardKey.cards).toJSON() as Record<string, unknown>;
  const cardsB = b.getMap(BoardKey.cards).toJSON() as Record<string, unknown>;
  for (const id of new Set([...Object.keys(cardsA), ...Object.keys(cardsB)])) {
    const [x, y] = [JSON.stringify(canonical(cardsA[id])), JSON.stringify(canonical(cardsB[id]))];
    if (x !== y) return `card ${id}: ${x} vs ${y}`;
  }
  const vector = (doc: Y.Doc) => JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(doc))].sort());
  return `state vectors ${vector(a)} vs ${vector(b)}`;
}

// ---------------------------------------------------------------------------------------------
// The checks

async function simulate(seed: number, options: SimOptions): Promise<void> {
  const sim = new Simulation(seed, options);
  await sim.start();
  try {
    await sim.run();
    await sim.drain();
    const room = sim.room;
    const where = (what: string) =>
      `seed ${seed}: ${what}\n  ${tracing ? 'the run' : 'last steps'}:\n    ${sim.trace.slice(tracing ? 0 : -20).join('\n    ')}`;
    const expectSame = (a: Y.Doc, b: Y.Doc, what: string) =>
      expect(sameBoard(a, b), where(`${what}: ${difference(a, b)}`)).toBe(true);

    // No legal edit was refused: nobody was closed but by the restarts; nothing failed.
    const refusals = sim.closes.filter((c) => c.code !== CloseCode.goingAway);
    const refused = refusals.map((c) => `${c.peer} ${c.code} “${c.reason}”`).join('; ');
    expect(refusals, where(`the room closed someone: ${refused}`)).toEqual([]);
    expect(sim.problems, where('a client failed')).toEqual([]);
    expect(room.isBroken, where('the room broke')).toBe(false);

    // Everyone has the room's board, which is what it accepted.
    for (const peer of sim.peers) expectSame(peer.doc, room.doc, `${peer.name} differs from the room`);
    expectSame(room.accepted, room.doc, 'the accepted board differs from the stored one');

    // One more sync both ways (a reconnect: each side's step 1): no client held back an edit,
    // and nothing changes.
    const before = stateVector(room.doc);
    for (const peer of sim.peers) {
      peer.disconnect();
      peer.connect();
    }
    await sim.drain();
    expect(stateVector(room.doc).equals(before), where('a client had an edit the room lacked')).toBe(true);
    for (const peer of sim.peers) expectSame(peer.doc, room.doc, `${peer.name} differs after a resync`);

    // The board loaded again from what storage holds is the room's.
    const reloaded = await BoardRoom.load('s1', 'g', running, sim.storage, sim.limits, quiet);
    expectSame(reloaded.doc, room.doc, 'the board reloaded from storage differs');
    reloaded.close(CloseCode.goingAway, 'done');

    // Every card keeps the author who made it, and a text it was given (or none: undoing a
    // transaction that changed a card's text and removed it can bring the card back without one,
    // on the undoing client too); no card is lost.
    const cards = room.doc.getMap<Y.Map<unknown>>(BoardKey.cards);
    for (const [id, card] of cards.entries()) {
      expect(card.get(CardField.authorId), where(`author of ${id}`)).toBe(sim.expect.created.get(id));
      const [text, texts] = [card.get(CardField.text), sim.expect.texts.get(id)];
      const given = text === undefined || texts?.has(text as string);
      expect(given, where(`text of ${id}: ${text} not in ${[...(texts ?? [])]}`)).toBe(true);
    }
    for (const id of sim.expect.created.keys())
      if (!sim.expect.removed.has(id)) expect(cards.has(id), where(`card ${id} is missing`)).toBe(true);
  } finally {
    sim.destroy();
  }
}

const baseSeed = 0xca1a;
const seedCount = Number(process.env.CALMA_SIM_SEEDS ?? 60);
const seeds = process.env.CALMA_SIM_SEED
  ? [Number(process.env.CALMA_SIM_SEED)]
  : Array.from({ length: seedCount }, (_, i) => baseSeed + i);
const population: SimOptions = { ...ciOptions, ...JSON.parse(process.env.CALMA_SIM_OPTIONS ?? '{}') };

/**
 * Seeds that once failed, kept as cases. A `knownBug` case reproduces a server bug not fixed yet,
 * in a population `ciOptions` leaves out: it must fail with a message matching `because` (the
 * message lists every refusal). Failing otherwise, or passing, turns it red: the fix has landed,
 * so drop `knownBug`, and once no case needs it, let `ciOptions` take the population in.
 */
const regressions: {
  name: string;
  seed: number;
  options: Partial<SimOptions>;
  knownBug?: { because: RegExp };
}[] = [
  // Undoing a transaction that changed a card's text and removed it brings the card back without
  // a text, on the undoing client too (Yjs's undo, not the room): the text check allows it.
  { name: 'a card comes back by undo without its text', seed: 53416, options: {} },
  // judge.ts `placeOf`: an item whose origin is another item of the same update takes that
  // item's `parentSub`, which Yjs leaves null until integration; the field is then taken for the
  // card itself (a replaced card, or a "card" that is not a Y.Map).
  {
    name: 'a card moved twice in one transaction is refused as replaced',
    seed: 51738,
    options: { sameKeyTwice: true },
  },
  {
    name: 'a card moved twice offline is refused as replaced',
    seed: 51751,
    options: { lateEdits: true },
  },
  // judge.ts: a card this update adds and deletes (kept as items, as an undo manager keeps them)
  // is described as added, with no kind or author, instead of having no effect.
  {
    name: 'a note added and removed offline is refused as authorless',
    seed: 51742,
    options: { lateEdits: true },
  },
  // judge.ts: the same, collected by the client (gc on): the update carries GC structs, which
  // `prejudge` skips, so its delete set over them reads as deleting what the board lacks.
  {
    name: 'content added and removed offline, collected by the client, is refused as depending on missing changes',
    seed: 52225,
    options: { lateEdits: true },
  },
  // room.ts/durable.ts + judge.ts: a loaded room's probe is a copy of the collected `doc`, so the
  // fields of cards deleted before the load are GC structs; `find` returns null for them and an
  // edit of such a card (from a view not yet synced) is judged a change to "(unknown)".
  {
    name: 'an edit of a card deleted before the room reloaded is refused as unknown',
    seed: 52005,
    options: { editsBeforeSync: true },
  },
  // The y-websocket protocol: an edit made after reconnecting but before answering the server's
  // step 1 goes out as an update ahead of the step 2 that carries the offline edits it builds
  // on; the room refuses it (4403) and the web app starts over from a fresh document, losing them.
  {
    name: 'an edit sent before the step 2 that carries offline edits is refused',
    seed: 51739,
    options: { lateEdits: true, editsBeforeSync: true },
  },
];

describe('board convergence (seeded simulation)', () => {
  it.each(seeds)('converges: seed %i', (seed) => simulate(seed, population));

  for (const { name, seed, options, knownBug } of regressions) {
    const run = () => simulate(seed, { ...ciOptions, ...options });
    if (!knownBug) {
      it(`${name} (seed ${seed})`, run);
      continue;
    }
    it.fails(`known bug: ${name} (seed ${seed})`, async () => {
      const error = await run().then(
        () => null,
        (err: Error) => err,
      );
      // Only the known failure counts as the expected one: anything else passes here, and so fails the case.
      if (error && knownBug.because.test(error.message)) throw error;
    });
  }
});
