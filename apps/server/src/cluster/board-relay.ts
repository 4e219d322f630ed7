import { randomUUID } from 'node:crypto';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { defaultRelayReadGapMs } from '../config.js';
import type { BoardLog, BoardRelay, RelayedBatch, RelayListener } from '../realtime/yjs/ports.js';
import { safeError } from '../safe-error.js';

/**
 * Bulk strings as Buffers: board updates are binary. 36 is RESP's bulk string type (`$`), node-redis's
 * `RESP_TYPES.BLOB_STRING`, written out so that a single node never loads the Redis client.
 */
export const relayTypeMapping = { 36: Buffer } as const;

/**
 * The few commands the relay sends, as node-redis's `sendCommand` (a client, or its
 * `withTypeMapping` view that answers bulk strings as Buffers).
 */
export interface RelayRedis {
  sendCommand(args: (string | Buffer)[], options?: { typeMapping: typeof relayTypeMapping }): Promise<unknown>;
}

/** A connection the relay subscribes with (node-redis, bulk strings as Buffers). */
export interface RelaySubscriber {
  subscribe(channel: string, listener: (message: Buffer) => void, bufferMode: true): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
}

/** The connections of a relay: commands, a blocking reader of its own, and a subscriber. */
export interface RelayConnections {
  readonly commands: RelayRedis;
  /** Only blocking reads run on it (XREAD BLOCK holds its connection). */
  readonly reader: RelayRedis;
  readonly subscriber: RelaySubscriber;
}

/** Options of {@link RedisBoardRelay}; the defaults suit a deployment, tests shorten them. */
export interface RelayOptions {
  /** Entries kept per board stream (approximately): a node behind by more catches up from storage. */
  readonly streamLength?: number;
  /** How long a blocking read waits before it reads again (ms). */
  readonly blockMs?: number;
  /** How often a node says it is alive, and checks the others it has heard from (ms). */
  readonly heartbeatMs?: number;
  /**
   * Least time from the start of one read of the board streams to the start of the next (ms;
   * default {@link defaultRelayReadGapMs}). A read names every followed board's stream, so on a
   * busy node, reading again at once after every entry costs the node and Redis more than the
   * entries: within the gap they gather and come in one reply. An idle node's first read is at once.
   */
  readonly readGapMs?: number;
}

/** Key names, so that another tool can find them. */
export const relayKeys = {
  board: (sessionId: string) => `calma:board:${sessionId}`,
  presence: (sessionId: string) => `calma:presence:${sessionId}`,
  alive: (node: string) => `calma:node:${node}`,
  wake: (node: string) => `calma:wake:${node}`,
} as const;

interface Follow {
  readonly listener: RelayListener;
  /** The id of the last entry read from the board's stream. */
  lastId: string;
  /** The last publication counter read from each other node. */
  readonly counters: Map<string, number>;
}

/** One XREAD reply, RESP2: per stream, its key and entries; an entry is its id and flat field list. */
type XReadReply = [Buffer, [Buffer, Buffer[]][]][] | null;

/** Awareness updates that ride with a batch, as one field: a count, then each with its length (lib0). */
function encodePresence(updates: readonly Uint8Array[]): Buffer {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, updates.length);
  for (const update of updates) encoding.writeVarUint8Array(encoder, update);
  const bytes = encoding.toUint8Array(encoder);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The awareness updates of a batch's `p` field; none when it is malformed (cursors only: logged, skipped). */
function decodePresence(field: Buffer, log: BoardLog): Uint8Array[] {
  try {
    const decoder = decoding.createDecoder(new Uint8Array(field.buffer, field.byteOffset, field.byteLength));
    const count = decoding.readVarUint(decoder);
    const updates: Uint8Array[] = [];
    for (let i = 0; i < count; i++) updates.push(decoding.readVarUint8Array(decoder));
    return updates;
  } catch (err) {
    log.warn({ err: safeError(err) }, 'board relay: malformed presence with a batch; skipped');
    return [];
  }
}

const text = (value: Buffer | string | undefined) =>
  typeof value === 'string' ? value : (value?.toString('utf8') ?? '');

/**
 * Board batches between nodes over Redis: a stream per board (`XADD … MAXLEN ~`), read by every
 * node holding the board with one blocking `XREAD` over all its boards, and presence (cursors)
 * over pub/sub, never stored. Each node numbers its publications per board: a node that sees a
 * gap (a publication lost while Redis was down or trimmed past) catches up from storage, as it
 * does when its reader reconnects and when a node it heard from stops saying it is alive (killed
 * before it relayed what it stored). PostgreSQL stays the truth; Redis only carries news of it.
 */
export class RedisBoardRelay implements BoardRelay {
  readonly node = randomUUID();
  private readonly follows = new Map<string, Follow>();
  private readonly published = new Map<string, number>();
  private readonly streamLength: string;
  private readonly blockMs: string;
  private readonly heartbeatMs: number;
  private readonly readGapMs: number;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;
  /** The reader failed since it last read: once it reads again, every board catches up. */
  private readerDown = false;
  private reading: Promise<void> | null = null;
  private idle: (() => void) | null = null;

  constructor(
    private readonly redis: RelayConnections,
    private readonly log: BoardLog,
    options: RelayOptions = {},
  ) {
    this.streamLength = String(options.streamLength ?? 2_000);
    this.blockMs = String(options.blockMs ?? 5_000);
    this.heartbeatMs = options.heartbeatMs ?? 2_000;
    this.readGapMs = Math.max(0, options.readGapMs ?? defaultRelayReadGapMs);
    this.heartbeat = setInterval(() => void this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
    void this.beat();
  }

  async follow(sessionId: string, listener: RelayListener): Promise<() => void> {
    const key = relayKeys.board(sessionId);
    // From the stream's last entry: the board is read from storage after this, so what was
    // relayed before is stored there (a node relays only what it stored).
    let lastId = '0-0';
    try {
      const last = (await this.redis.commands.sendCommand(['XREVRANGE', key, '+', '-', 'COUNT', '1'])) as
        | [Buffer, Buffer[]][]
        | null;
      lastId = last?.[0] ? text(last[0][0]) : '0-0';
    } catch (err) {
      // Redis is down: read the stream from its start once it is back (what it still holds).
      this.log.warn({ err: safeError(err), sessionId }, 'board relay: Redis did not answer; following from the start');
    }
    const follow: Follow = { listener, lastId, counters: new Map() };
    this.follows.set(sessionId, follow);
    await this.redis.subscriber
      .subscribe(relayKeys.presence(sessionId), (message) => this.presenceArrived(sessionId, message), true)
      .catch((err: unknown) => this.log.warn({ err: safeError(err), sessionId }, 'board relay: presence not followed'));
    this.startReading();
    return () => {
      if (this.follows.get(sessionId) !== follow) return;
      this.follows.delete(sessionId);
      void this.redis.subscriber.unsubscribe(relayKeys.presence(sessionId)).catch(() => undefined);
      this.wakeReader();
    };
  }

  publish(sessionId: string, batch: RelayedBatch): void {
    const counter = (this.published.get(sessionId) ?? 0) + 1;
    this.published.set(sessionId, counter);
    const args = [
      'XADD',
      relayKeys.board(sessionId),
      'MAXLEN',
      '~',
      this.streamLength,
      '*',
      'node',
      this.node,
      'n',
      String(counter),
      'seqs',
      batch.seqs.join(','),
      'u',
      Buffer.from(batch.update.buffer, batch.update.byteOffset, batch.update.byteLength),
    ];
    if (batch.presence && batch.presence.length > 0) args.push('p', encodePresence(batch.presence));
    // A batch that is not relayed shows as a gap in this node's counter at the next one.
    this.redis.commands
      .sendCommand(args)
      .catch((err: unknown) =>
        this.log.warn({ err: safeError(err), sessionId }, 'board relay: a batch was not relayed'),
      );
  }

  publishPresence(sessionId: string, update: Uint8Array): void {
    const node = Buffer.from(this.node, 'latin1');
    const message = Buffer.concat([Buffer.from([node.byteLength]), node, update]);
    this.redis.commands
      .sendCommand(['PUBLISH', relayKeys.presence(sessionId), message])
      .catch((err: unknown) => this.log.debug({ err: safeError(err), sessionId }, 'board relay: presence not relayed'));
  }

  /** Stops reading and beating; the connections are the caller's to close. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.follows.clear();
    await this.redis.commands.sendCommand(['DEL', relayKeys.alive(this.node)]).catch(() => undefined);
    this.wakeReader();
  }

  private presenceArrived(sessionId: string, message: Buffer): void {
    const length = message[0] ?? 0;
    if (message.subarray(1, 1 + length).toString('latin1') === this.node) return;
    this.follows.get(sessionId)?.listener.presence(new Uint8Array(message.subarray(1 + length)));
  }

  /** Says this node is alive, and catches up boards whose other nodes stopped saying so. */
  private async beat(): Promise<void> {
    if (this.closed) return;
    const { commands } = this.redis;
    try {
      await commands.sendCommand(['SET', relayKeys.alive(this.node), '1', 'PX', String(this.heartbeatMs * 3)]);
      const heard = new Set<string>();
      for (const follow of this.follows.values()) for (const node of follow.counters.keys()) heard.add(node);
      for (const node of heard) {
        if (Number(await commands.sendCommand(['EXISTS', relayKeys.alive(node)])) === 1) continue;
        // Gone (killed, say) perhaps before relaying what it stored: its boards read storage again.
        this.log.warn({ node }, 'board relay: a node stopped; catching up its boards from storage');
        for (const follow of this.follows.values()) {
          if (follow.counters.delete(node)) follow.listener.missed();
        }
      }
    } catch (err) {
      this.log.debug({ err: safeError(err) }, 'board relay: heartbeat failed');
    }
  }

  private startReading(): void {
    if (this.reading || this.closed) {
      this.wakeReader();
      return;
    }
    this.reading = this.readLoop().finally(() => {
      this.reading = null;
    });
  }

  /** Interrupts a blocking read, so that it starts again with the boards followed now. */
  private wakeReader(): void {
    this.idle?.();
    this.redis.commands
      .sendCommand(['XADD', relayKeys.wake(this.node), 'MAXLEN', '~', '10', '*', 'w', '1'])
      .catch(() => undefined);
  }

  private async readLoop(): Promise<void> {
    let backoff = 50;
    let lastReadAt = Number.NEGATIVE_INFINITY;
    while (!this.closed) {
      if (this.follows.size === 0) {
        await new Promise<void>((resolve) => {
          this.idle = resolve;
        });
        this.idle = null;
        continue;
      }
      const wait = lastReadAt + this.readGapMs - performance.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      lastReadAt = performance.now();
      const sessions = [...this.follows.keys()];
      const ids = sessions.map((s) => this.follows.get(s)?.lastId ?? '0-0');
      let reply: XReadReply;
      try {
        reply = (await this.redis.reader.sendCommand(
          [
            'XREAD',
            'COUNT',
            '1000',
            'BLOCK',
            this.blockMs,
            'STREAMS',
            relayKeys.wake(this.node),
            ...sessions.map(relayKeys.board),
            '$',
            ...ids,
          ],
          { typeMapping: relayTypeMapping },
        )) as XReadReply;
      } catch (err) {
        if (this.closed) return;
        if (!this.readerDown) this.log.warn({ err: safeError(err) }, 'board relay: reading from Redis failed');
        this.readerDown = true;
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, 2_000);
        continue;
      }
      backoff = 50;
      if (this.readerDown) {
        // Batches relayed while the reader was away may be lost with a restarted Redis.
        this.readerDown = false;
        this.log.warn({}, 'board relay: reading from Redis again; catching up from storage');
        for (const follow of this.follows.values()) follow.listener.missed();
      }
      for (const [key, entries] of reply ?? []) this.entriesArrived(text(key), entries);
    }
  }

  private entriesArrived(key: string, entries: [Buffer, Buffer[]][]): void {
    const prefix = relayKeys.board('');
    if (!key.startsWith(prefix)) return;
    const sessionId = key.slice(prefix.length);
    const follow = this.follows.get(sessionId);
    if (!follow) return;
    for (const [id, flat] of entries) {
      follow.lastId = text(id);
      const fields = new Map<string, Buffer>();
      for (let i = 0; i + 1 < flat.length; i += 2) fields.set(text(flat[i]), flat[i + 1] as Buffer);
      const node = text(fields.get('node'));
      const update = fields.get('u');
      if (node === this.node || !update) continue;
      const counter = Number(text(fields.get('n')));
      const before = follow.counters.get(node);
      follow.counters.set(node, counter);
      if (before !== undefined && counter !== before + 1) follow.listener.missed();
      const seqs = text(fields.get('seqs'))
        .split(',')
        .filter((s) => s !== '')
        .map(Number);
      const presence = fields.get('p');
      follow.listener.batch({
        seqs,
        update: new Uint8Array(update),
        ...(presence ? { presence: decodePresence(presence, this.log) } : {}),
      });
    }
  }
}
