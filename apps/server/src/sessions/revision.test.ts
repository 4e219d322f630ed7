import { databaseKinds } from '@calma/db/testing/fresh';
import type { ClientToServerEvents, ServerToClientEvents } from '@calma/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedGroupFixture, created, createGroup, join, startTestApp, type TestApp } from '../testing.js';

type ControlClient = Socket<ServerToClientEvents, ClientToServerEvents>;
interface View {
  segment: number;
  status: string;
  boardLocked: boolean;
  revision: number;
  speakers: { currentSpeakerId: string | null };
}
interface ErrorReply {
  error: { code: string; message: string };
}

/**
 * The revision guard over both transports: a control action that names a revision the session has
 * moved past (the second click of a double click, a second moderator tab) is refused with 409
 * `STALE_REVISION` and changes nothing; sessions stored before revisions existed load and act.
 */
describe.each(databaseKinds)('control with a revision on %s', (kind) => {
  let t: TestApp;
  let group: CreatedGroupFixture;
  const people: { participantId: string; token: string }[] = [];
  let socket: ControlClient;

  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true });
    group = await createGroup(t);
    for (const name of ['Ana', 'Bo', 'Cy']) people.push(await join(t, group.inviteCode, name));
    socket = await new Promise<ControlClient>((resolve, reject) => {
      const s: ControlClient = io(t.url, {
        auth: { token: group.moderatorToken },
        reconnection: false,
        forceNew: true,
        transports: ['websocket'],
      });
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  });
  afterAll(async () => {
    socket?.close();
    await t.close();
  });

  const newSession = () => created<{ id: string }>(t, `/api/groups/${group.id}/sessions`, {}, group.moderatorToken);
  const http = (id: string, body: object) =>
    t.http<{ state: View } & ErrorReply>('POST', `/api/sessions/${id}/control`, group.moderatorToken, body);
  const viewOf = async (id: string) =>
    (await t.http<{ state: View }>('GET', `/api/sessions/${id}`, group.moderatorToken)).body.state;
  const emit = (sessionId: string, body: object) =>
    new Promise<{ state?: View; error?: ErrorReply['error'] }>((resolve) =>
      (socket.emit as (e: string, p: object, ack: (r: never) => void) => void)(
        'session:control',
        { sessionId, ...body },
        resolve,
      ),
    );

  it('HTTP: a stale revision is 409 STALE_REVISION and the state stays as it was', async () => {
    const { id } = await newSession();
    expect((await viewOf(id)).revision).toBe(0);
    const ids = people.map((p) => p.participantId);
    let res = await http(id, { action: 'set-speakers', participantIds: ids, turnMs: 60_000, revision: 0 });
    expect(res.status).toBe(200);
    res = await http(id, { action: 'start', segment: 3, durationMs: 600_000, revision: 1 });
    expect(res.body.state).toMatchObject({ segment: 3, status: 'running', revision: 2 });
    res = await http(id, { action: 'next-speaker', revision: 2 });
    expect(res.body.state.speakers.currentSpeakerId).toBe(ids[0]);

    // A double click on "Next speaker": both clicks were chosen on revision 3.
    const [first, second] = await Promise.all([
      http(id, { action: 'next-speaker', revision: 3 }),
      http(id, { action: 'next-speaker', revision: 3 }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const refused = first.status === 409 ? first : second;
    expect(refused.body.error.code).toBe('STALE_REVISION');
    expect(refused.body.error.message).toMatch(/revision 4, not 3/);
    const after = await viewOf(id);
    expect(after).toMatchObject({ revision: 4, speakers: { currentSpeakerId: ids[1] } });

    // The skipped person is recoverable; an old view cannot undo it twice.
    res = await http(id, { action: 'previous-speaker', revision: 4 });
    expect(res.body.state).toMatchObject({ revision: 5, speakers: { currentSpeakerId: ids[0] } });
    // A lock then a stale lock-or-unlock: not toggled back.
    expect((await http(id, { action: 'lock-board', revision: 5 })).body.state.boardLocked).toBe(true);
    const stale = await http(id, { action: 'unlock-board', revision: 5 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('STALE_REVISION');
    expect(await viewOf(id)).toMatchObject({ boardLocked: true, revision: 6 });
    // Without a revision the contract's clients act as before.
    expect((await http(id, { action: 'unlock-board' })).body.state).toMatchObject({ boardLocked: false, revision: 7 });
    // A wrong-state refusal keeps its own code.
    expect((await http(id, { action: 'resume', revision: 7 })).body.error.code).toBe('WRONG_STATE');
    expect((await http(id, { action: 'pause', revision: -1 })).status).toBe(400);
  });

  it('socket.io: a stale revision is acked with STALE_REVISION and the state stays as it was', async () => {
    const { id } = await newSession();
    const started = await emit(id, { action: 'start', segment: 0, durationMs: 60_000, revision: 0 });
    expect(started.state).toMatchObject({ status: 'running', revision: 1 });
    const [a, b] = await Promise.all([
      emit(id, { action: 'advance', durationMs: 60_000, revision: 1 }),
      emit(id, { action: 'advance', durationMs: 60_000, revision: 1 }),
    ]);
    const codes = [a, b].map((r) => r.error?.code ?? 'state').sort();
    expect(codes).toEqual(['STALE_REVISION', 'state']);
    expect(await viewOf(id)).toMatchObject({ segment: 1, revision: 2 });
    expect((await emit(id, { action: 'pause', revision: 1 })).error?.code).toBe('STALE_REVISION');
    expect(await viewOf(id)).toMatchObject({ status: 'running', revision: 2 });
    expect((await emit(id, { action: 'previous-speaker', revision: 2 })).error?.code).toBe('WRONG_STATE');
  });

  it('loads a session stored before revisions existed as revision 0, and steers it', async () => {
    const { id } = await newSession();
    await http(id, { action: 'start', segment: 2, durationMs: 60_000 });
    // What an older server wrote: the same state without the field.
    await t.db.query(`update sessions set state = state - 'revision' where id = $1`, [id]);
    const stored = await t.db.query('select state from sessions where id = $1', [id]);
    expect(stored[0]?.state).not.toHaveProperty('revision');
    expect(await viewOf(id)).toMatchObject({ segment: 2, status: 'running', revision: 0 });
    expect((await http(id, { action: 'pause', revision: 1 })).body.error?.code).toBe('STALE_REVISION');
    expect((await http(id, { action: 'pause', revision: 0 })).body.state).toMatchObject({
      status: 'paused',
      revision: 1,
    });
    expect((await emit(id, { action: 'resume', revision: 1 })).state).toMatchObject({ status: 'running', revision: 2 });
  });
});
