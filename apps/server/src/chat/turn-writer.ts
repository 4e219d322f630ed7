import type { schema } from '@calma/db';
import { type Database, saveConversationMessages } from '@calma/db';

type InteractionMessage = schema.InteractionMessage;

/**
 * Stores an assistant turn as it streams: at most one write per `everyMs` while tokens arrive
 * (the turn marked `incomplete`, so a crash leaves what was shown, honestly labelled), then the
 * final state. Writes are chained, never concurrent, so the final write is always the last one.
 */
export class TurnWriter {
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  // The first write waits `everyMs` too: answers that start together (a class sending at once)
  // do not all write at the same instant, when their first tokens are being relayed.
  #lastWriteAt = Date.now();
  #latest: InteractionMessage | null = null;

  constructor(
    private readonly db: Database,
    private readonly conversationId: string,
    /** The conversation's messages before this turn. */
    private readonly before: readonly InteractionMessage[],
    /** The interval between writes, asked at each write (it may grow with the load). */
    private readonly everyMs: number | (() => number),
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The turn as it stands now; written within `everyMs`. */
  update(message: InteractionMessage): void {
    this.#latest = message;
    if (this.#timer) return;
    const every = typeof this.everyMs === 'number' ? this.everyMs : this.everyMs();
    const wait = Math.max(0, this.#lastWriteAt + every - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const latest = this.#latest;
      if (latest) this.#write(latest).catch(this.onError);
    }, wait);
  }

  /** Writes the turn's final state after any write in flight; rejects if that write fails. */
  final(message: InteractionMessage): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#latest = null;
    return this.#write(message);
  }

  #write(message: InteractionMessage): Promise<void> {
    this.#lastWriteAt = Date.now();
    const next = this.#chain
      .catch(() => {})
      .then(() => saveConversationMessages(this.db, this.conversationId, [...this.before, message]));
    this.#chain = next;
    return next;
  }
}
