import { useMemo, useState } from 'react';
import { Trans } from 'react-i18next';
import { useBoard } from '../../lib/board';
import type {
  FinalAttributesResponse,
  InteractionList,
  MappingResponse,
  Me,
  ParticipantList,
  Session,
  Submissions,
} from '../../lib/contract';
import { Link } from '../../lib/router';
import { useSessionChannel } from '../../lib/session-channel';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { useLive } from '../../lib/use-session-data';
import { BoardCanvas } from '../board/board-canvas';
import { boardReadOnly, principalOf } from '../board/read-only';
import { Agenda } from '../moderator/agenda';
import { FinalAttributesEditor } from '../moderator/final-attributes-editor';
import { MapPanel } from '../moderator/map-panel';
import { MappingPanel } from '../moderator/mapping-panel';
import { Speakers } from '../moderator/speakers';
import { Segment1Form } from '../segments/segment1-form';
import { Segment5Form } from '../segments/segment5-form';
import { SessionBar } from './session-bar';

/** A live Discuss session: the session bar, the board, and what this person does now. */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const token = useToken();
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);
  const session = useApiQuery<Session>(token ? `/api/sessions/${encodeURIComponent(sessionId)}` : null, token);
  if (!token) return <p className="error">Open your invite or sign-in link first.</p>;
  if (me.status === 'error' || session.status === 'error') {
    const error = me.status === 'error' ? me.error : session.status === 'error' ? session.error : null;
    return (
      <section className="card">
        <h1>Cannot open this session</h1>
        <p className="error" role="alert">
          {error?.status === 401 ? 'Your sign-in is no longer valid. Use your invite link again.' : error?.message}
        </p>
        <Link href="/">Back to the start page</Link>
      </section>
    );
  }
  if (me.status !== 'success' || session.status !== 'success') return <p className="status">Loading…</p>;
  return <LiveSession sessionId={sessionId} groupId={session.data.groupId} me={me.data} token={token} />;
}

function LiveSession({ sessionId, groupId, me, token }: { sessionId: string; groupId: string; me: Me; token: string }) {
  const channel = useSessionChannel(sessionId, token);
  const [saved, setSaved] = useState(0);
  const version = `${channel.state?.segment}:${channel.state?.status}:${channel.state?.revealed.join(',')}:${saved}`;
  const identity = useMemo(
    () => ({
      id: me.participantId ?? me.role,
      name: me.displayName ?? (me.role === 'moderator' ? 'Moderator' : 'Analyst'),
    }),
    [me],
  );
  const board = useBoard(sessionId, token, identity);
  const principal = useMemo(() => principalOf(me), [me]);
  const participants = useLive<ParticipantList>(`/api/groups/${groupId}/participants`, token, version);
  const interactions = useLive<InteractionList>(`/api/groups/${groupId}/interactions`, token, groupId);
  const finals = useLive<FinalAttributesResponse>(`/api/sessions/${sessionId}/final-attributes`, token, version);
  const staff = me.role === 'moderator' || me.role === 'admin';
  const submissions = useLive<Submissions>(staff ? `/api/sessions/${sessionId}/submissions` : null, token, version);
  const mapping = useLive<MappingResponse>(
    staff ? `/api/sessions/${sessionId}/segment1-mapping` : null,
    token,
    version,
  );
  const [controlError, setControlError] = useState<string | null>(null);

  const names = useMemo(
    () => Object.fromEntries((participants?.participants ?? []).map((p) => [p.id, p.displayName])),
    [participants],
  );
  const state = channel.state;
  const running = (segment: number) => state?.segment === segment && state.status === 'running';
  const finalList = finals?.attributes ?? [];

  return (
    <div className={`session-page role-${me.role}`}>
      <SessionBar channel={channel} names={names} participants={participants?.participants.length ?? 0} />
      {controlError && (
        <p className="error" role="alert">
          {controlError}
        </p>
      )}
      <div className="session-layout">
        <div className="session-main">
          {me.role === 'participant' && state?.segment === 1 && (
            <Segment1Form sessionId={sessionId} token={token} open={running(1)} />
          )}
          {me.role === 'participant' && state?.segment === 5 && (
            <Segment5Form sessionId={sessionId} token={token} open={running(5)} finals={finalList} />
          )}
          {state?.segment === 0 && <ArtifactsNote groupId={groupId} />}
          <BoardCanvas
            board={board}
            me={identity.id}
            refitKey={channel.mapsDone}
            readOnly={boardReadOnly(principal, state)}
            groupId={groupId}
            token={token}
            interactions={interactions?.interactions ?? []}
            names={names}
          />
        </div>
        {staff && (
          <aside className="session-side" aria-label="Moderator console">
            <Agenda channel={channel} onError={setControlError} />
            <MapPanel sessionId={sessionId} token={token} channel={channel} />
            <Speakers channel={channel} participants={participants?.participants ?? []} onError={setControlError} />
            <FinalAttributesEditor
              sessionId={sessionId}
              token={token}
              finals={finalList}
              top3={submissions?.groupTop3 ?? []}
              top5={submissions?.groupTop5 ?? []}
              interactions={(interactions?.interactions ?? []).map((i, n) => ({
                id: i.id,
                title: `${n + 1}. ${(i.messages.find((m) => m.role === 'assistant')?.content ?? i.id).slice(0, 60)}`,
              }))}
              open={running(4)}
              onSaved={() => setSaved((n) => n + 1)}
            />
            <MappingPanel
              sessionId={sessionId}
              token={token}
              mapping={mapping}
              finals={finalList}
              names={names}
              onSaved={() => setSaved((n) => n + 1)}
            />
            <p>
              <Link href={`/sessions/${encodeURIComponent(sessionId)}/analysis`}>Analysis and export</Link>
            </p>
          </aside>
        )}
        {me.role === 'analyst' && (
          <p>
            <Link href={`/sessions/${encodeURIComponent(sessionId)}/analysis`}>Open the analysis dashboard</Link>
          </p>
        )}
      </div>
    </div>
  );
}

function ArtifactsNote({ groupId }: { groupId: string }) {
  return (
    <p className="hint">
      <Trans
        ns="board"
        i18nKey="segment0Hint"
        components={{ summary: <Link href={`/groups/${encodeURIComponent(groupId)}/summary`} /> }}
      />
    </p>
  );
}
