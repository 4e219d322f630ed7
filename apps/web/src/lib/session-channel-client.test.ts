import type { JoinAck, SessionState, StateAck } from '@calma/protocol';
import { describe, expect, it } from 'vitest';
import { type ControlSocket, SessionChannelClient } from './session-channel-client';

/** A socket.io client socket in memory: the test plays the server, answering emits through `reply`. */
class FakeSocket {
  readonly handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  readonly sent: { event: string; payload: unknown; ack: (reply: StateAck | JoinAck) => void }[] = [];
  closed = false;

  on(event: string, handler: (...args: unknown[]) => void): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }

  emit(event: string, payload: unknown, ack: (reply: StateAck | JoinAck) => void): this {
    this.sent.push({ event, payload, ack });
    return this;
  }

  close(): this {
    this.closed = true;
    return this;
  }

  /** The server side: an event reaches the client. */
  fire(event: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
}

const state = (segment: 0 | 1 | 2, serverNow = 10_000): SessionState => ({
  segment,
  status: 'running',
  startedAt: 0,
  endsAt: null,
  remainingMs: null,
  serverNow,
  revealed: [],
  durationMs: null,
  boardLocked: false,
  speakers: {
    order: [],
    currentSpeakerId: null,
    nextSpeakerId: null,
    turnMs: 120_000,
    turnEndsAt: null,
    turnRemainingMs: null,
  },
});

function channel() {
  const socket = new FakeSocket();
  const opened: { url: string | undefined; options: unknown }[] = [];
  const client = new SessionChannelClient({
    sessionId: 's1',
    token: 'secret',
    url: 'http://calma.test',
    now: () => 9_000,
    io: (url, options) => {
      opened.push({ url, options });
      return socket as unknown as ControlSocket;
    },
  });
  return { client, socket, opened };
}

describe('SessionChannelClient', () => {
  it('joins on every connect, with the token, and takes the state and the clock skew', () => {
    const { client, socket, opened } = channel();
    client.start();
    client.start();
    expect(opened).toEqual([
      { url: 'http://calma.test', options: { auth: { token: 'secret' }, transports: ['websocket'] } },
    ]);

    socket.fire('connect');
    expect(socket.sent.map((m) => [m.event, m.payload])).toEqual([['session:join', { sessionId: 's1' }]]);
    socket.sent[0]?.ack({ state: state(0), submitted: { 1: 2, 5: 0 } });
    expect(client.getSnapshot()).toMatchObject({
      connected: true,
      skewMs: 1_000,
      error: null,
      state: state(0),
      // A reloaded page shows the counts at once, not 0 until the next submission.
      submitted: { 1: 2, 5: 0 },
    });

    socket.fire('disconnect');
    expect(client.getSnapshot().connected).toBe(false);
    socket.fire('connect');
    expect(socket.sent.map((m) => m.event)).toEqual(['session:join', 'session:join']);
    socket.sent[1]?.ack({ error: { code: 'not_found', message: 'Unknown session' } });
    expect(client.getSnapshot()).toMatchObject({ connected: true, error: 'Unknown session' });

    socket.fire('connect_error', new Error('xhr poll error'));
    expect(client.getSnapshot().error).toBe('xhr poll error');
  });

  it('follows its own session only: state, submission counts, affinity-map progress', () => {
    const { client, socket } = channel();
    client.start();
    socket.fire('session:state', { sessionId: 'other', state: state(2) });
    expect(client.getSnapshot().state).toBeNull();
    socket.fire('session:state', { sessionId: 's1', state: state(1) });
    expect(client.getSnapshot().state?.segment).toBe(1);

    socket.fire('session:submitted', { sessionId: 's1', segment: 1, count: 2 });
    socket.fire('session:submitted', { sessionId: 's1', segment: 5, count: 1 });
    socket.fire('session:submitted', { sessionId: 'other', segment: 1, count: 9 });
    expect(client.getSnapshot().submitted).toEqual({ 1: 2, 5: 1 });

    socket.fire('final-attributes:changed', { sessionId: 's1' });
    socket.fire('final-attributes:changed', { sessionId: 'other' });
    socket.fire('final-attributes:changed', { sessionId: 's1' });
    expect(client.getSnapshot().finalsChanged).toBe(2);

    const progress = { sessionId: 's1', stage: 'embedding' as const, fraction: 0.25 };
    socket.fire('affinity-map:progress', progress);
    expect(client.getSnapshot().mapProgress).toEqual(progress);
    socket.fire('affinity-map:done', { sessionId: 's1', model: 'm', cards: 4, ms: 10 });
    expect(client.getSnapshot()).toMatchObject({ mapProgress: null, mapsDone: 1 });
    socket.fire('affinity-map:progress', progress);
    socket.fire('affinity-map:failed', { sessionId: 's1', message: 'no cards' });
    expect(client.getSnapshot()).toMatchObject({ mapProgress: null, mapsDone: 1 });
  });

  it('keeps the newer state when an older revision arrives after it (two server nodes at once)', () => {
    const { client, socket } = channel();
    client.start();
    socket.fire('session:state', { sessionId: 's1', state: { ...state(2), revision: 7 } });
    socket.fire('session:state', { sessionId: 's1', state: { ...state(1), revision: 6 } });
    expect(client.getSnapshot().state).toMatchObject({ segment: 2, revision: 7 });
    socket.fire('session:state', { sessionId: 's1', state: { ...state(1), revision: 8 } });
    expect(client.getSnapshot().state).toMatchObject({ segment: 1, revision: 8 });
  });

  it('resolves a control action with the new state, or rejects with the server’s message', async () => {
    const { client, socket } = channel();
    await expect(client.control({ action: 'pause' })).rejects.toThrow('Not connected');
    client.start();

    const started = client.control({ action: 'start', segment: 2, durationMs: 60_000 });
    expect(socket.sent[0]).toMatchObject({
      event: 'session:control',
      payload: { action: 'start', segment: 2, durationMs: 60_000, sessionId: 's1' },
    });
    socket.sent[0]?.ack({ state: state(2) });
    await expect(started).resolves.toEqual(state(2));
    expect(client.getSnapshot().state?.segment).toBe(2);

    const paused = client.control({ action: 'pause' });
    socket.sent[1]?.ack({ error: { code: 'wrong_state', message: 'The session is not running' } });
    await expect(paused).rejects.toThrow('The session is not running');

    // The code comes along, so the console can take a stale revision quietly.
    const stale = client.control({ action: 'next-speaker', revision: 3 });
    expect(socket.sent[2]?.payload).toMatchObject({ action: 'next-speaker', revision: 3 });
    socket.sent[2]?.ack({ error: { code: 'STALE_REVISION', message: 'The session is at revision 4, not 3' } });
    await expect(stale).rejects.toMatchObject({ code: 'STALE_REVISION' });
  });

  it('keeps the same snapshot while nothing changes, and closes the socket on stop', () => {
    const { client, socket } = channel();
    let told = 0;
    client.subscribe(() => {
      told += 1;
    });
    client.start();
    const before = client.getSnapshot();
    socket.fire('disconnect');
    socket.fire('session:state', { sessionId: 'other', state: state(2) });
    socket.fire('affinity-map:failed', { sessionId: 's1', message: 'nothing to fail' });
    expect(client.getSnapshot()).toBe(before);
    expect(told).toBe(0);

    client.stop();
    expect(socket.closed).toBe(true);
    // A late event from the closed socket changes nothing.
    socket.fire('session:state', { sessionId: 's1', state: state(1) });
    expect(client.getSnapshot().state).toBeNull();
  });
});
