import { randomUUID } from 'node:crypto';
import {
  type DomainEvent,
  type DomainEventHandler,
  type DomainEventType,
  type EventBus,
  type EventFailureLog,
  InProcessEventBus,
  type SubscribeOptions,
} from '../events/bus.js';
import type { RedisClient, RedisConnections } from './redis.js';

/** The Redis stream that carries domain events between nodes. */
export const eventStreamKey = 'calma:events';

/** Where the bus reports a relay that failed (the events themselves still ran here). */
export interface EventRelayLog {
  warn(fields: object, message: string): void;
}

interface StreamEntry {
  readonly id: string;
  readonly message: Record<string, string>;
}

/** XREAD's answer on a RESP2 connection: per stream, its new entries. */
type XReadReply = { readonly name: string; readonly messages: readonly StreamEntry[] }[] | null;

/**
 * The domain event bus of a node among several. This node's subscribers run as on
 * {@link InProcessEventBus} (`publish` waits for them, and only for them); an event of a type that
 * has `everyNode` subscribers is also appended to one Redis stream, and every other node runs its
 * `everyNode` subscribers when it reads it. The nodes run one build, so the types that have such
 * subscribers are the same everywhere: events nobody elsewhere follows (an affinity map's points,
 * say) never leave the node.
 *
 * A stream rather than pub/sub (or socket.io's `serverSideEmit`, which rides on pub/sub): an
 * event told while Redis restarts waits in the publisher's command queue, and each reader
 * continues from the last entry it read, so no node misses a state change that its rooms must
 * follow. Pub/sub drops whatever is published while a subscriber is reconnecting. The stream is
 * capped (`MAXLEN ~ 10000`): it is a relay, not a log; PostgreSQL stays the record.
 */
export class RedisEventBus implements EventBus {
  /** Every subscriber of this node. */
  private readonly here: InProcessEventBus;
  /** The `everyNode` subscribers, for events read from other nodes. */
  private readonly fromElsewhere: InProcessEventBus;
  /** The `ordered` subscribers, for every event read from the stream, this node's own included. */
  private readonly inStreamOrder: InProcessEventBus;
  /** How many `everyNode` subscribers each type has here. */
  private readonly relayed = new Map<DomainEventType, number>();
  /** Tells this node's entries from the others' in the shared stream. */
  readonly nodeId = randomUUID();
  private reader: RedisClient | null = null;
  private reading: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly redis: RedisConnections,
    private readonly logFailure: EventFailureLog,
    private readonly log: EventRelayLog,
    private readonly options: { readonly stream?: string; readonly maxLen?: number } = {},
  ) {
    this.here = new InProcessEventBus(logFailure);
    this.fromElsewhere = new InProcessEventBus(logFailure);
    this.inStreamOrder = new InProcessEventBus(logFailure);
  }

  private get stream(): string {
    return this.options.stream ?? eventStreamKey;
  }

  /** Starts reading the other nodes' events (from the end of the stream as it is now). */
  start(): void {
    if (this.reading || this.stopped) return;
    this.reader = this.redis.dedicated('event bus reader');
    this.reading = this.read(this.reader);
  }

  /** Stops reading; events published afterwards run here only. */
  async close(): Promise<void> {
    this.stopped = true;
    // The blocking XREAD in flight rejects at once rather than after its block time.
    if (this.reader?.isOpen) this.reader.destroy();
    await this.reading;
  }

  notify(event: DomainEvent): void {
    this.publish(event).catch((err: unknown) => this.logFailure(err, event));
  }

  publish(event: DomainEvent): Promise<void> {
    this.relay(event);
    return this.here.publish(event);
  }

  subscribe<T extends DomainEventType>(
    type: T,
    handler: DomainEventHandler<T>,
    options?: SubscribeOptions,
  ): () => void {
    // An ordered subscriber runs from the stream only; an every-node one here and from others.
    const stops = options?.ordered
      ? [this.inStreamOrder.subscribe(type, handler)]
      : options?.everyNode
        ? [this.here.subscribe(type, handler), this.fromElsewhere.subscribe(type, handler)]
        : [this.here.subscribe(type, handler)];
    const relayed = Boolean(options?.ordered || options?.everyNode);
    if (relayed) this.relayed.set(type, (this.relayed.get(type) ?? 0) + 1);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      for (const stop of stops) stop();
      if (relayed) this.relayed.set(type, (this.relayed.get(type) ?? 1) - 1);
    };
  }

  /**
   * Appends the event for the other nodes; in order with this node's other commands. Its
   * `ordered` subscribers here run when it is read back; if it cannot be appended, at once.
   */
  private relay(event: DomainEvent): void {
    if (!this.relayed.get(event.type)) return;
    if (this.stopped) {
      this.inStreamOrder.notify(event);
      return;
    }
    this.redis.client
      .xAdd(
        this.stream,
        '*',
        { node: this.nodeId, event: JSON.stringify(event) },
        { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: this.options.maxLen ?? 10_000 } },
      )
      .catch((err: unknown) => {
        this.log.warn(
          { err: String(err), event: event.type },
          'a domain event could not be relayed to the other nodes',
        );
        // Never read back: this node's clients still hear it.
        this.inStreamOrder.notify(event);
      });
  }

  /**
   * Reads the stream from where it ends at start-up, entry after entry. After a lost connection
   * it goes on from the last entry it read: entries appended meanwhile are read then. A Redis
   * restarted empty starts its ids from its clock, past the last one read.
   */
  private async read(reader: RedisClient): Promise<void> {
    let from: string | null = null;
    while (!this.stopped) {
      try {
        from ??= await this.streamEnd(reader);
        const reply = (await reader.xRead({ key: this.stream, id: from }, { BLOCK: 5_000, COUNT: 100 })) as XReadReply;
        for (const entry of reply?.[0]?.messages ?? []) {
          from = entry.id;
          this.deliver(entry);
        }
      } catch {
        if (this.stopped) return;
        // The connection is being re-established (its own log says so); the read is tried again.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** The id of the stream's last entry now, or `0-0` for a stream not created yet. */
  private async streamEnd(reader: RedisClient): Promise<string> {
    const last = (await reader.xRevRange(this.stream, '+', '-', { COUNT: 1 })) as readonly StreamEntry[];
    return last[0]?.id ?? '0-0';
  }

  /** Runs the `ordered` subscribers for every event, and the `everyNode` ones for another node's. */
  private deliver(entry: StreamEntry): void {
    let event: DomainEvent;
    try {
      event = JSON.parse(entry.message.event ?? '') as DomainEvent;
    } catch {
      this.log.warn({ id: entry.id }, 'an unreadable entry in the domain event stream was skipped');
      return;
    }
    this.inStreamOrder.notify(event);
    if (entry.message.node !== this.nodeId) this.fromElsewhere.notify(event);
  }
}
