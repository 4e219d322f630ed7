import type { Duplex } from 'node:stream';
import { CloseCode } from '@calma/protocol/board';
import type { WebSocket } from 'ws';
import type { BoardSocket } from './ports.js';

/** Sockets corked during this event-loop turn, uncorked together once it has run. */
const corked = new Set<Duplex>();
let uncorkDue = false;

function uncorkAll(): void {
  uncorkDue = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/**
 * Holds what `ws` writes to `socket` until the end of this turn of the event loop (the check phase
 * runs right after the poll phase that read the messages). A person's move is two messages, an
 * update (broadcast once committed, in that check phase) and a cursor (broadcast as it is read):
 * each peer then gets both in one `writev` instead of one each, and a socket write is most of what
 * a busy board costs the server. `ws` corks around each frame itself; corks nest.
 */
function corkForTurn(socket: Duplex | undefined): void {
  if (!socket || corked.has(socket) || socket.destroyed) return;
  socket.cork();
  corked.add(socket);
  if (!uncorkDue) {
    uncorkDue = true;
    setImmediate(uncorkAll);
  }
}

/**
 * A close reason cut to the 123 bytes a close frame holds, at a character boundary: cutting
 * UTF-8 mid-character would make a longer string, and `ws` throws on a reason over 123 bytes.
 */
export function clipReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  let clipped = '';
  for (const char of reason) {
    if (Buffer.byteLength(clipped + char) > 123) break;
    clipped += char;
  }
  return clipped;
}

/**
 * A `ws` socket as a room sees it. Messages are listened for at once and held until the room
 * registers its listener (the room loads asynchronously, and a client sends its first sync step
 * as soon as the socket opens); a text frame closes the socket, since y-websocket is binary.
 */
export function wsBoardSocket(ws: WebSocket): BoardSocket {
  let listener: ((message: Uint8Array) => void) | null = null;
  const early: Uint8Array[] = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      ws.close(CloseCode.badRequest, 'Binary y-websocket messages only');
      return;
    }
    const bytes = data as Buffer;
    if (listener) listener(bytes);
    else early.push(bytes);
  });
  // One callback for every send of this socket (a broadcast sends to hundreds at once).
  const sent = (err?: Error) => {
    if (err) ws.terminate();
  };
  return {
    get isOpen() {
      return ws.readyState === ws.OPEN;
    },
    get backlog() {
      return ws.bufferedAmount;
    },
    send(message) {
      // `_socket` is the connection `ws` writes to (not in its types, stable since ws 1).
      corkForTurn((ws as unknown as { _socket?: Duplex })._socket);
      ws.send(message, sent);
    },
    pause() {
      if (ws.readyState === ws.OPEN) ws.pause();
    },
    resume() {
      if (ws.readyState === ws.OPEN) ws.resume();
    },
    close(code, reason) {
      ws.close(code, clipReason(reason));
    },
    onMessage(next) {
      listener = next;
      for (const message of early.splice(0)) next(message);
    },
    onClose(next) {
      ws.on('close', next);
    },
  };
}

/**
 * Pings every watched socket each `intervalMs` and drops (terminates) one that has not answered
 * the previous ping: a peer that vanished without a FIN (a laptop closed, a NAT that forgot the
 * flow) would otherwise hold its socket, and its place in the caps, forever. Browsers and `ws`
 * answer pings by themselves, so stock y-websocket clients need nothing. One timer for all
 * sockets, as `ws` recommends.
 */
export class Heartbeat {
  private readonly watched = new Set<WebSocket>();
  private readonly unanswered = new WeakSet<WebSocket>();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.beat(), intervalMs);
    this.timer.unref();
  }

  watch(ws: WebSocket): void {
    this.watched.add(ws);
    ws.on('pong', () => this.unanswered.delete(ws));
    ws.once('close', () => this.watched.delete(ws));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    for (const ws of this.watched) {
      if (this.unanswered.has(ws)) {
        // Also ends one that has begun closing since and whose peer has gone quiet.
        ws.terminate();
        continue;
      }
      if (ws.readyState !== ws.OPEN) continue;
      this.unanswered.add(ws);
      ws.ping();
    }
  }
}

/**
 * Closes `ws` with 4408 unless it sends something within `ms` of opening. A y-websocket client
 * sends its sync step 1 at once, so only sockets opened and left silent (a script holding
 * connections) reach the deadline. The deadline is absolute and the first message ends it: what
 * comes after is the rate limits' business, and pings keep dead peers from lingering.
 */
export function firstMessageDeadline(ws: WebSocket, ms: number): void {
  const timer = setTimeout(() => {
    if (ws.readyState === ws.OPEN) {
      ws.close(CloseCode.timedOut, `Nothing received within ${Math.round(ms / 1000)} s of opening`);
    }
  }, ms);
  timer.unref();
  const clear = () => clearTimeout(timer);
  ws.once('message', clear);
  ws.once('close', clear);
}
