import type { SessionStateView } from '@calma/core';
import type { MapProgress } from '@calma/protocol';

/** A point of an affinity map, written into the board. */
export interface MapPoint {
  readonly cardId: string;
  readonly x: number;
  readonly y: number;
  readonly clusterId: number;
}

/**
 * What happened in the domain, for whoever follows it: the control channel tells clients, the
 * board places cards. Publishers do not know their subscribers.
 */
export type DomainEvent =
  /** A session was created: the board takes what it starts with. */
  | { readonly type: 'session-created'; readonly sessionId: string; readonly groupId: string }
  /** A session's state changed and is durable. */
  | { readonly type: 'session-state-changed'; readonly sessionId: string; readonly state: SessionStateView }
  /** A segment was revealed (published after the state change that reveals it). */
  | { readonly type: 'segment-revealed'; readonly sessionId: string; readonly segment: number }
  /** Someone submitted private work of a segment; `count` is how many have submitted (never what). */
  | { readonly type: 'submission-made'; readonly sessionId: string; readonly segment: 1 | 5; readonly count: number }
  /** The moderator saved the group's final attributes (segment 4); they are every member's to read. */
  | { readonly type: 'final-attributes-changed'; readonly sessionId: string }
  /** Labels were stored for a group. */
  | { readonly type: 'labels-added'; readonly groupId: string; readonly labelIds: readonly string[] }
  /** A label was removed (its text: the code it counted for counts one less). */
  | { readonly type: 'label-removed'; readonly groupId: string; readonly text: string }
  /** An affinity map is being computed. */
  | { readonly type: 'map-progress'; readonly progress: MapProgress }
  /**
   * An affinity map was computed: its positions and suggested clusters go into the board. A
   * subscriber that cannot write them (the board is full) fails the publication.
   */
  | {
      readonly type: 'map-computed';
      readonly sessionId: string;
      readonly points: readonly MapPoint[];
      readonly clusters: readonly { readonly id: number; readonly name: string; readonly size: number }[];
    }
  /** An affinity map is computed and written. */
  | {
      readonly type: 'map-done';
      readonly sessionId: string;
      readonly model: string;
      readonly cards: number;
      readonly ms: number;
    }
  /** Computing an affinity map failed. */
  | { readonly type: 'map-failed'; readonly sessionId: string; readonly message: string }
  /** Someone joined a group, or its moderator renamed, merged or removed a participant. */
  | { readonly type: 'participants-changed'; readonly groupId: string }
  /** The moderator opened or closed an A/B round (never which models it compares). */
  | {
      readonly type: 'ab-round-changed';
      readonly groupId: string;
      readonly roundId: string;
      readonly status: 'open' | 'closed';
    };

/** One of the {@link DomainEvent} types. */
export type DomainEventType = DomainEvent['type'];
/** The event of a type. */
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;
/** What follows one type of event. */
export type DomainEventHandler<T extends DomainEventType> = (event: DomainEventOf<T>) => void | Promise<void>;

/**
 * How a subscriber follows its events. By default it runs only on the node that published the
 * event: the control channel's socket.io emits (the Redis adapter already spreads them to every
 * node) and the replay recorder (it writes timeline rows) must run once per event.
 */
export interface SubscribeOptions {
  /**
   * Also run when another node publishes: for a subscriber that keeps state of its own node (the
   * rooms a node holds, a node's cache), which only that node can bring up to date. Such a
   * handler must be harmless to run on every node at once.
   */
  readonly everyNode?: boolean;
  /**
   * Run on every node, this one included, in the one order the nodes share (the relay's): what
   * each node's clients are told (session states) then comes to all of them in the same order,
   * even when two nodes publish at once. Not awaited by `publish` with several nodes; on one
   * node, run as any subscriber.
   */
  readonly ordered?: boolean;
}

/**
 * The domain event bus. In one process it calls the subscribers in order of subscription; a
 * bus over several nodes (Redis) also hands the event to the other nodes' `everyNode` subscribers.
 */
export interface EventBus {
  /**
   * Hands `event` to every subscriber of its type here and resolves when all of them have
   * finished, so a publisher can wait until the board shows what it stored. When a subscriber
   * fails, the others still run, and the promise then rejects with the first failure. Other
   * nodes' subscribers are never waited for.
   */
  publish(event: DomainEvent): Promise<void>;
  /** Publishes without waiting for the subscribers; a failure is logged by the bus. */
  notify(event: DomainEvent): void;
  /** Follows one type of event; returns the function that stops following. */
  subscribe<T extends DomainEventType>(type: T, handler: DomainEventHandler<T>, options?: SubscribeOptions): () => void;
}

/** Where a bus reports a subscriber that failed an event nobody waited for. */
export type EventFailureLog = (err: unknown, event: DomainEvent) => void;

/** The bus of one process (the only node: `everyNode` changes nothing). */
export class InProcessEventBus implements EventBus {
  private readonly handlers = new Map<DomainEventType, Set<DomainEventHandler<DomainEventType>>>();

  constructor(private readonly logFailure: EventFailureLog) {}

  notify(event: DomainEvent): void {
    this.publish(event).catch((err: unknown) => this.logFailure(err, event));
  }

  async publish(event: DomainEvent): Promise<void> {
    const handlers = [...(this.handlers.get(event.type) ?? [])];
    if (handlers.length === 0) return;
    const results = await Promise.allSettled(handlers.map(async (handler) => handler(event as never)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  subscribe<T extends DomainEventType>(
    type: T,
    handler: DomainEventHandler<T>,
    _options?: SubscribeOptions,
  ): () => void {
    let set = this.handlers.get(type);
    if (!set) {
      set = new Set();
      this.handlers.set(type, set);
    }
    const stored = handler as unknown as DomainEventHandler<DomainEventType>;
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  }
}
