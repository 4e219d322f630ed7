import { useMemo, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
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
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useSessionChannel } from '../../lib/session-channel';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { useLive } from '../../lib/use-session-data';
import { AgreementLink } from '../agreement/agreement-link';
import { ArtifactsLink } from '../artifacts/artifacts-list-page';
import { BoardCanvas } from '../board/board-canvas';
import { boardReadOnly, principalOf } from '../board/read-only';
import { SignInFirst, useSignInCheck } from '../home/remembered-sign-ins';
import { Agenda } from '../moderator/agenda';
import { FinalAttributesEditor } from '../moderator/final-attributes-editor';
import { MapPanel } from '../moderator/map-panel';
import { MappingPanel } from '../moderator/mapping-panel';
import { PeoplePanel } from '../moderator/people-panel';
import { Speakers } from '../moderator/speakers';
import { ParticipantSegment, submittedNow, useOwnSubmissions } from '../segments/participant-view';
import { SessionBar } from './session-bar';
import { SessionEndPage } from './session-end-page';

/** A live Discuss session: the session bar, the board, and what this person does now. */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const { t } = useTranslation('session');
  const token = useToken();
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);
  const session = useApiQuery<Session>(token ? `/api/sessions/${encodeURIComponent(sessionId)}` : null, token);
  const refused = useSignInCheck(me, token);
  if (!token) return <SignInFirst refused={refused} />;
  if (me.status === 'error' || session.status === 'error') {
    const error = me.status === 'error' ? me.error : session.status === 'error' ? session.error : null;
    return (
      <section className="card">
        <h1>{t('page.cannotOpen')}</h1>
        <p className="error" role="alert">
          {error?.status === 401 ? t('page.signInInvalid') : errorText(error)}
        </p>
        <Link href="/">{t('page.backToStart')}</Link>
      </section>
    );
  }
  if (me.status !== 'success' || session.status !== 'success') return <p className="status">{t('common:loading')}</p>;
  return <LiveSession sessionId={sessionId} groupId={session.data.groupId} me={me.data} token={token} />;
}

function LiveSession({ sessionId, groupId, me, token }: { sessionId: string; groupId: string; me: Me; token: string }) {
  const { t } = useTranslation('session');
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
  const participants = useLive<ParticipantList>(
    `/api/groups/${groupId}/participants`,
    token,
    `${version}:${channel.participantsChanged}`,
  );
  const interactions = useLive<InteractionList>(`/api/groups/${groupId}/interactions`, token, groupId);
  const finals = useLive<FinalAttributesResponse>(
    `/api/sessions/${sessionId}/final-attributes`,
    token,
    `${version}:${channel.finalsChanged}`,
  );
  const staff = me.role === 'moderator' || me.role === 'admin';
  const submissions = useLive<Submissions>(staff ? `/api/sessions/${sessionId}/submissions` : null, token, version);
  const mapping = useLive<MappingResponse>(
    staff ? `/api/sessions/${sessionId}/segment1-mapping` : null,
    token,
    version,
  );
  const participant = me.role === 'participant';
  const own = useOwnSubmissions(participant ? sessionId : null, token, me.participantId, version);
  const [controlError, setControlError] = useState<string | null>(null);

  const names = useMemo(
    () => Object.fromEntries((participants?.participants ?? []).map((p) => [p.id, p.displayName])),
    [participants],
  );
  const state = channel.state;
  const running = (segment: number) => state?.segment === segment && state.status === 'running';
  const finalList = finals?.attributes ?? [];
  // Nothing of the session shows before its state: a bar, panels and a board that came in turn
  // moved what was already there under the pointer.
  if (!state) return <p className="status">{channel.error ?? t('connecting')}</p>;

  return (
    <div className={`session-page role-${me.role}`}>
      <SessionBar
        channel={channel}
        names={names}
        participants={participants?.participants.length ?? 0}
        mine={participant ? submittedNow(own, state?.segment) : null}
      />
      {controlError && (
        <p className="error" role="alert">
          {controlError}
        </p>
      )}
      <div className="session-layout">
        <div className="session-main">
          {participant && state?.status === 'ended' ? (
            <SessionEndPage
              groupId={groupId}
              loaded={own.loaded}
              segment1={own.segment1}
              segment5={own.segment5}
              finals={finalList}
            />
          ) : (
            <>
              {participant && state && (
                <ParticipantSegment
                  sessionId={sessionId}
                  token={token}
                  state={state}
                  own={own}
                  finals={finals}
                  interactions={interactions}
                  onSaved={() => setSaved((n) => n + 1)}
                />
              )}
              {state?.segment === 0 && <ArtifactsNote groupId={groupId} participantId={me.participantId} />}
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
            </>
          )}
        </div>
        {staff && (
          <aside className="session-side" aria-label={t('page.console')}>
            <Agenda
              channel={channel}
              onError={setControlError}
              participants={participants?.participants.length ?? 0}
              submitted={{
                1: channel.submitted[1] ?? submissions?.segment1.length,
                5: channel.submitted[5] ?? submissions?.segment5.length,
              }}
            />
            <MapPanel sessionId={sessionId} token={token} channel={channel} />
            <PeoplePanel groupId={groupId} token={token} participants={participants?.participants ?? null} />
            <Speakers channel={channel} participants={participants?.participants ?? []} onError={setControlError} />
            <FinalAttributesEditor
              sessionId={sessionId}
              token={token}
              finals={finalList}
              top3={submissions?.groupTop3 ?? []}
              top5={submissions?.groupTop5 ?? []}
              interactions={(interactions?.interactions ?? []).map((i) => ({
                id: i.id,
                prompt: i.messages.find((m) => m.role === 'user')?.content ?? '',
                response: i.messages.find((m) => m.role === 'assistant')?.content ?? '',
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
              <Link href={`/sessions/${encodeURIComponent(sessionId)}/analysis`}>{t('page.analysisAndExport')}</Link>
            </p>
            <AgreementLink groupId={groupId} />
          </aside>
        )}
        {me.role === 'analyst' && (
          <p>
            <Link href={`/sessions/${encodeURIComponent(sessionId)}/analysis`}>{t('page.openAnalysis')}</Link>
          </p>
        )}
      </div>
    </div>
  );
}

function ArtifactsNote({ groupId, participantId }: { groupId: string; participantId: string | null }) {
  return (
    <p className="hint">
      <Trans
        ns="board"
        i18nKey="segment0Hint"
        components={{ summary: <Link href={`/groups/${encodeURIComponent(groupId)}/summary`} /> }}
      />{' '}
      <ArtifactsLink groupId={groupId} participantId={participantId} />
    </p>
  );
}
