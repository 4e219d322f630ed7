/**
 * Prepares a running Calma (the built server, started by the bench) for board clients, over its
 * public HTTP API as a person would: one study, then per room a group, its participants joined and
 * a session whose segment 2 (the board, where participants may write) is running.
 */
import { adminToken, call, type Running } from '../support.js';

/** One group's session and the credentials of the people in it. */
export interface CalmaRoom {
  readonly sessionId: string;
  readonly moderatorToken: string;
  readonly participantTokens: readonly string[];
  readonly participantIds: readonly string[];
}

/** How many joins run at once: enough to overlap round trips, few enough not to flood a 2-core box. */
const joinsInFlight = 8;

async function joinAll(server: Running, inviteCode: string, people: number) {
  const joined: { token: string; participantId: string }[] = [];
  for (let start = 0; start < people; start += joinsInFlight) {
    const batch = Array.from({ length: Math.min(joinsInFlight, people - start) }, (_, i) =>
      call<{ token: string; participantId: string }>(server, 'POST', '/api/join', null, {
        inviteCode,
        displayName: `P${start + i}`,
        consent: true,
      }),
    );
    joined.push(...(await Promise.all(batch)));
  }
  return joined;
}

/** Creates `rooms` groups of `people` participants, each with its board session running. */
export async function setupCalmaRooms(server: Running, rooms: number, people: number): Promise<CalmaRoom[]> {
  const context = { name: 'Bench', description: 'Board benchmark', systemPrompt: '' };
  const study = await call(server, 'POST', '/api/studies', adminToken, { title: 'Bench', context });
  const result: CalmaRoom[] = [];
  for (let r = 0; r < rooms; r++) {
    const group = await call(server, 'POST', `/api/studies/${study.id}/groups`, adminToken, { name: `Board ${r}` });
    const moderatorToken = group.moderatorToken ?? '';
    const joined = await joinAll(server, group.inviteCode ?? '', people);
    const session = await call(server, 'POST', `/api/groups/${group.id}/sessions`, moderatorToken, {});
    const sessionId = session.id ?? '';
    await call(server, 'POST', `/api/sessions/${sessionId}/control`, moderatorToken, {
      action: 'start',
      segment: 2,
      durationMs: 3_600_000,
    });
    result.push({
      sessionId,
      moderatorToken,
      participantTokens: joined.map((j) => j.token),
      participantIds: joined.map((j) => j.participantId),
    });
  }
  return result;
}
