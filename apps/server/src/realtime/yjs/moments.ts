import { boardMomentReason } from '@calma/core';
import * as Y from 'yjs';
import { safeError } from '../../safe-error.js';
import type { BoardLog } from './ports.js';
import type { BoardRoom } from './room.js';

/** What moments read of a room: its durable document and its session. */
export type MomentRoom = Pick<BoardRoom, 'doc' | 'sessionId'>;

/** Why a moment was kept (the `reason` of `board_moments`). */
export type MomentReason = 'segment' | 'interval' | 'end';

/** Where moments go: the whole board as one Yjs update, when and why. */
export type SaveMoment = (
  sessionId: string,
  moment: { at: Date; reason: MomentReason; state: Uint8Array },
) => Promise<void>;

/** The session state moments follow. */
interface MomentState {
  readonly segment: number;
  readonly status: 'pending' | 'running' | 'paused' | 'ended';
}

interface Watch {
  state: MomentState;
  /** The board changed since the last moment. */
  dirty: boolean;
  lastAt: number;
  timer: NodeJS.Timeout | null;
  /** Moments of this room are written one after another. */
  saving: Promise<void>;
  readonly onUpdate: () => void;
}

/**
 * Keeps moments of open boards for replay: at each segment change, at the end, and at most every
 * `everyMs` while the board changes (never for a board unchanged since its last moment). A moment
 * is read from the room's durable `doc` in a timer or a bus handler, never in the path that
 * stores and broadcasts updates: that path only marks the board changed. One timer per room at
 * most, cleared when the room is let go.
 */
export class BoardMoments {
  private readonly watched = new Map<MomentRoom, Watch>();

  constructor(
    private readonly save: SaveMoment,
    private readonly everyMs: number,
    private readonly log: BoardLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts following a loaded room whose session is in `state`. */
  watch(room: MomentRoom, state: MomentState): void {
    if (this.watched.has(room)) return;
    const watch: Watch = {
      state: { segment: state.segment, status: state.status },
      dirty: false,
      lastAt: this.now(),
      timer: null,
      saving: Promise.resolve(),
      onUpdate: () => {
        // Called as `doc` takes a stored update: a flag and at most one timer, nothing more.
        if (watch.dirty) return;
        watch.dirty = true;
        if (watch.timer === null) {
          const wait = Math.max(0, watch.lastAt + this.everyMs - this.now());
          watch.timer = setTimeout(() => {
            watch.timer = null;
            if (watch.dirty) this.keep(room, 'interval');
          }, wait);
          watch.timer.unref();
        }
      },
    };
    room.doc.on('update', watch.onUpdate);
    this.watched.set(room, watch);
  }

  /** Follows the session: a new segment or the end keeps a moment. */
  stateChanged(room: MomentRoom, state: MomentState): void {
    const watch = this.watched.get(room);
    if (!watch) return;
    const reason = boardMomentReason(watch.state, state);
    watch.state = { segment: state.segment, status: state.status };
    if (reason) this.keep(room, reason);
  }

  /** Keeps the board as it stands now; resolves once it is stored (failures are logged). */
  keep(room: MomentRoom, reason: MomentReason): Promise<void> {
    const watch = this.watched.get(room);
    if (!watch) return Promise.resolve();
    if (watch.timer) clearTimeout(watch.timer);
    watch.timer = null;
    watch.dirty = false;
    const at = this.now();
    watch.lastAt = at;
    // Encoded now, so the moment is the board at `at` whatever arrives while it is written.
    const state = Y.encodeStateAsUpdate(room.doc);
    watch.saving = watch.saving.then(() =>
      this.save(room.sessionId, { at: new Date(at), reason, state }).catch((err: unknown) =>
        this.log.error({ err: safeError(err), sessionId: room.sessionId }, 'a board moment could not be stored'),
      ),
    );
    return watch.saving;
  }

  /**
   * Stops following a room that is being let go (call it while its `doc` is still whole): clears
   * its timer and, when the board changed since its last moment and `final` is set, keeps one
   * last moment, so a board unloaded between moments loses nothing to replay.
   */
  async release(room: MomentRoom, final = true): Promise<void> {
    const watch = this.watched.get(room);
    if (!watch) return;
    const last = final && watch.dirty ? this.keep(room, 'interval') : watch.saving;
    if (watch.timer) clearTimeout(watch.timer);
    room.doc.off('update', watch.onUpdate);
    this.watched.delete(room);
    await last;
  }

  /** Rooms followed now (for tests). */
  get size(): number {
    return this.watched.size;
  }
}
