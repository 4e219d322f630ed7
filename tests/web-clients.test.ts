import { CloseCode } from '@calma/protocol/board';
import { startTestApp, type TestApp } from '@calma/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
  BoardClient,
  type BoardClose,
  type BoardProviderFactory,
  type Scheduler,
} from '../apps/web/src/lib/board-client.js';
import { sendOwnPresenceOnly } from '../apps/web/src/lib/board-provider.js';
import { SessionChannelClient } from '../apps/web/src/lib/session-channel-client.js';
import { until } from './support/board-clients.js';

/**
 * The web app's clients, outside the browser, against a real Calma server: `SessionChannelClient`
 * over socket.io-client and `BoardClient` over the stock y-websocket provider (with `ws` for a
 * WebSocket). What the browser does with them is the e2e test's; here, what they do with the server.
 */
interface Group {
  id: string;
  inviteCode: string;
  moderatorToken: string;
  analystToken: string;
}

/** Refreshes in a microtask: batched like a frame in the browser, but at once for a test. */
const microtask: Scheduler = (task) => {
  let cancelled = false;
  queueMicrotask(() => {
    if (!cancelled) task();
  });
  return () => {
    cancelled = true;
  };
};

describe('the web clients against a real server', () => {
  let t: TestApp;
  let group: Group;
  let sessionId: string;
  const people: Record<string, { token: string; participantId: string }> = {};
  const stops: (() => void)[] = [];

  /** Every provider a board client made, with how the server closed it. */
  const providers: { token: string; provider: WebsocketProvider; closes: BoardClose[] }[] = [];
  const realProvider: BoardProviderFactory = ({ serverUrl, room, doc, token }) => {
    // As the web app's own factory makes it, with `ws` for a WebSocket and a quicker reconnect.
    const provider = sendOwnPresenceOnly(
      new WebsocketProvider(serverUrl, room, doc, {
        params: { token },
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        maxBackoffTime: 200,
      }),
    );
    const entry = { token, provider, closes: [] as BoardClose[] };
    provider.on('connection-close', (event) => {
      if (event) entry.closes.push({ code: event.code, reason: event.reason });
    });
    providers.push(entry);
    return provider;
  };

  const channel = (token: string, session = sessionId) => {
    const client = new SessionChannelClient({ sessionId: session, token, url: t.url });
    client.start();
    stops.push(() => client.stop());
    return client;
  };
  const board = (token: string, me: { id: string; name: string }, session = sessionId) => {
    const client = new BoardClient({
      sessionId: session,
      token,
      me,
      serverUrl: `${t.url.replace(/^http/, 'ws')}/yjs`,
      schedule: microtask,
      createProvider: realProvider,
      reloadDelayMs: 50,
    });
    client.start();
    stops.push(() => client.stop());
    return client;
  };
  const ana = () => people.ana as { token: string; participantId: string };

  beforeAll(async () => {
    t = await startTestApp('pglite', { listen: true });
    const study = await t.http<{ id: string }>('POST', '/api/studies', t.adminToken, {
      title: 'Web clients',
      context: { name: 'n', description: '', systemPrompt: '' },
    });
    group = (await t.http<Group>('POST', `/api/studies/${study.body.id}/groups`, t.adminToken, { name: 'G' })).body;
    for (const name of ['ana', 'bo']) {
      people[name] = (
        await t.http<{ token: string; participantId: string }>('POST', '/api/join', null, {
          inviteCode: group.inviteCode,
          displayName: name,
          consent: true,
        })
      ).body;
    }
    await t.http('POST', `/api/groups/${group.id}/labels`, group.moderatorToken, {
      labels: [{ text: 'balanced', stage: 'initial' }],
    });
    sessionId = (await t.http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken)).body
      .id;
  });
  afterAll(async () => {
    for (const stop of stops) stop();
    await t.close();
  });

  it('joins a session, sees control actions arrive, and rejects with the server’s message', async () => {
    const moderator = channel(group.moderatorToken);
    const participant = channel(ana().token);
    await until(() => moderator.getSnapshot().state !== null && participant.getSnapshot().state !== null, 'join');
    expect(moderator.getSnapshot()).toMatchObject({ connected: true, error: null, state: { segment: 0 } });
    expect(Math.abs(moderator.getSnapshot().skewMs)).toBeLessThan(1_000);

    const started = await moderator.control({ action: 'start', segment: 2, durationMs: 3_600_000 });
    expect(started).toMatchObject({ segment: 2, status: 'running' });
    await until(() => participant.getSnapshot().state?.segment === 2, 'the participant to see segment 2');
    expect(participant.getSnapshot().state).toEqual(started);

    // The same refusal over REST names the message the socket's ack must carry.
    const rest = await t.http<{ error: { message: string } }>(
      'POST',
      `/api/sessions/${sessionId}/control`,
      group.moderatorToken,
      { action: 'resume' },
    );
    expect(rest.status).toBe(409);
    await expect(moderator.control({ action: 'resume' })).rejects.toThrow(rest.body.error.message);
    await expect(participant.control({ action: 'pause' })).rejects.toThrow(/.+/);
    expect(participant.getSnapshot().state?.status).toBe('running');
  });

  it('says why a join is refused', async () => {
    const client = channel(ana().token, 'no-such-session');
    await until(() => client.getSnapshot().error !== null, 'the join to be refused');
    expect(client.getSnapshot().state).toBeNull();
  });

  it('syncs cards between two board clients', async () => {
    const moderator = board(group.moderatorToken, { id: 'moderator', name: 'Moderator' });
    const participant = board(ana().token, { id: ana().participantId, name: 'ana' });
    await until(
      () => moderator.getSnapshot().status === 'synced' && participant.getSnapshot().status === 'synced',
      'both boards to sync',
    );
    const label = participant.getSnapshot().cards.find((c) => c.kind === 'label');
    expect(label).toMatchObject({ text: 'balanced', authorId: 'system' });

    const note = participant.addNote(10, 20, 'from ana');
    await until(() => moderator.getSnapshot().cards.some((c) => c.id === note), 'the moderator to see the note');
    expect(moderator.getSnapshot().cards.find((c) => c.id === note)).toMatchObject({
      kind: 'note',
      text: 'from ana',
      authorId: ana().participantId,
    });
    moderator.move([{ id: label?.id as string, x: 400, y: 300 }]);
    await until(
      () => participant.getSnapshot().cards.find((c) => c.id === label?.id)?.x === 400,
      'ana to see the move',
    );
    await until(() => moderator.getSnapshot().peers.some((p) => p.name === 'ana'), 'the moderator to see ana');
  });

  it('starts over from a fresh document when a write is refused in segment 1, without re-sending it', async () => {
    const session = (await t.http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken))
      .body.id;
    const made = providers.length;
    const moderator = board(group.moderatorToken, { id: 'moderator', name: 'Moderator' }, session);
    const participant = board(ana().token, { id: ana().participantId, name: 'ana' }, session);
    await until(
      () => moderator.getSnapshot().status === 'synced' && participant.getSnapshot().status === 'synced',
      'both boards to sync',
    );
    const [card] = participant.getSnapshot().cards;
    const before = { x: card?.x, y: card?.y };
    const control = await t.http('POST', `/api/sessions/${session}/control`, group.moderatorToken, {
      action: 'start',
      segment: 1,
      durationMs: 3_600_000,
    });
    expect(control.status).toBe(200);

    participant.move([{ id: card?.id as string, x: 999, y: 999 }]);
    await until(() => participant.getSnapshot().generation === 1, 'the board to start over');
    await until(() => participant.getSnapshot().status === 'synced', 'the fresh board to sync');
    const refused = providers.slice(made).find((p) => p.closes.length > 0);
    expect(refused?.closes).toEqual([{ code: CloseCode.wrongState, reason: 'The board is read-only for you now' }]);
    expect(participant.getSnapshot().cards.find((c) => c.id === card?.id)).toMatchObject(before);

    // A sentinel written after the reload: once ana holds it, a re-sent change would have been
    // refused (closing the fresh connection) before it.
    const sentinel = moderator.addNote(0, 0, 'sentinel');
    await until(() => participant.getSnapshot().cards.some((c) => c.id === sentinel), 'ana to see the sentinel');
    expect(participant.getSnapshot()).toMatchObject({ status: 'synced', generation: 1 });
    const anas = providers.slice(made).filter((p) => p.token === ana().token);
    expect(anas.map((p) => p.closes.length)).toEqual([1, 0]);
    expect(moderator.getSnapshot().cards.find((c) => c.id === card?.id)).toMatchObject(before);
  });

  it('sends the server its own presence only, not the cursors it receives (stock y-websocket sends both)', async () => {
    const session = (await t.http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken))
      .body.id;
    /** A provider on the session's board, counting the awareness frames it sends (y-websocket type 1). */
    const open = (token: string, name: string, ownOnly: boolean) => {
      const counted = { awareness: 0 };
      class CountingWebSocket extends WebSocket {
        override send(data: unknown, ...rest: unknown[]): void {
          if (data instanceof Uint8Array && data[0] === 1) counted.awareness += 1;
          (super.send as (...args: unknown[]) => void)(data, ...rest);
        }
      }
      const provider = new WebsocketProvider(`${t.url.replace(/^http/, 'ws')}/yjs`, session, new Y.Doc(), {
        params: { token },
        WebSocketPolyfill: CountingWebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
      });
      if (ownOnly) sendOwnPresenceOnly(provider);
      provider.awareness.setLocalState({ user: { name }, cursor: null });
      stops.push(() => provider.destroy());
      return { provider, counted };
    };
    const mover = open(group.moderatorToken, 'Moderator', true);
    const web = open(ana().token, 'ana', true);
    const stock = open((people.bo as { token: string }).token, 'bo', false);
    const everyone = [mover, web, stock];
    await until(() => everyone.every((c) => c.provider.synced), 'the three boards to sync');
    await until(() => everyone.every((c) => c.provider.awareness.getStates().size === 3), 'everyone to see everyone');

    const before = everyone.map((c) => c.counted.awareness);
    for (let x = 1; x <= 5; x++) mover.provider.awareness.setLocalStateField('cursor', { x, y: x });
    const moverId = mover.provider.awareness.clientID;
    const cursorAt = (c: (typeof everyone)[number]) =>
      (c.provider.awareness.getStates().get(moverId) as { cursor?: { x: number } } | undefined)?.cursor?.x;
    // A provider sends back what it received while applying it, so both counts are final here.
    await until(() => cursorAt(web) === 5 && cursorAt(stock) === 5, 'both others to see the last cursor');
    const sent = everyone.map((c, i) => c.counted.awareness - (before[i] ?? 0));
    expect(sent[0]).toBe(5);
    expect(sent[1]).toBe(0);
    // The control: stock y-websocket sends each change it received back to the server.
    expect(sent[2]).toBeGreaterThanOrEqual(1);
    // What the web app's client still sends: its own cursor, which the others see.
    web.provider.awareness.setLocalStateField('cursor', { x: 7, y: 7 });
    const webId = web.provider.awareness.clientID;
    await until(
      () => (mover.provider.awareness.getStates().get(webId) as { cursor?: { x: number } })?.cursor?.x === 7,
      'the moderator to see ana’s cursor',
    );
    expect(web.counted.awareness - (before[1] ?? 0)).toBe(1);
  });

  it('stops, saying why, when the server will not have this client at all', async () => {
    const unknown = board(group.moderatorToken, { id: 'moderator', name: 'Moderator' }, 'no-such-session');
    await until(() => unknown.getSnapshot().status === 'closed', 'the unknown session to close');
    expect(unknown.getSnapshot()).toMatchObject({ closeReason: expect.stringMatching(/not found/i), generation: 0 });

    const study = await t.http<{ id: string }>('POST', '/api/studies', t.adminToken, {
      title: 'Other',
      context: { name: 'n', description: '', systemPrompt: '' },
    });
    const stranger = await t.http<Group>('POST', `/api/studies/${study.body.id}/groups`, t.adminToken, { name: 'H' });
    const outsider = board(stranger.body.moderatorToken, { id: 'moderator', name: 'Moderator' });
    await until(() => outsider.getSnapshot().status === 'closed', 'another group’s moderator to be refused');
    expect(outsider.getSnapshot().generation).toBe(0);
    expect(providers.filter((p) => p.token === stranger.body.moderatorToken)).toHaveLength(1);
  });
});
