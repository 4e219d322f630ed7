import type { AbRoundList } from '@calma/protocol';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ApiError, api } from '../../lib/api';
import type { Group, Me, SessionList } from '../../lib/contract';
import { joinPath, Link, navigate } from '../../lib/router';
import { clearToken, useToken } from '../../lib/token';
import { type QueryState, useApiQuery } from '../../lib/use-api-query';
import { AbNotice, AbStaffLink } from '../ab/ab-link';
import { AgreementLink } from '../agreement/agreement-link';
import { ChatLink } from '../chat/chat-link';
import { JourneyHomeLink, ProgressHomeLink } from '../journey/home-links';
import { useMyProgress } from '../journey/journey-data';
import { StudiesLink } from '../study/studies-link';
import { TranscriptsLink } from '../transcripts/transcripts-link';
import { InviteCodeForm } from './invite-code-form';
import { type RefusedKind, RefusedNotice, RememberedSignIns, useSignInCheck } from './remembered-sign-ins';
import './identity.css';

/**
 * Who this tab is signed in as; or, without a token, the sign-ins remembered on this device
 * ("Continue as …") and how to join.
 */
export function HomePage() {
  const { t } = useTranslation('home');
  const token = useToken();
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);
  const refused = useSignInCheck(me, token);

  switch (me.status) {
    case 'idle':
      return <SignedOut refused={refused} />;
    case 'loading':
      return (
        <p className="status" aria-live="polite">
          {t('loading')}
        </p>
      );
    case 'error':
      // A refused token is forgotten at once (useSignInCheck); this shows for that moment.
      if (me.error.status === 401) return <SignedOut refused={refused} />;
      return <LoadFailed error={me.error} />;
    case 'success':
      return <SignedIn me={me.data} token={token} />;
  }
}

function SignedIn({ me, token }: { me: Me; token: string | null }) {
  const { t } = useTranslation('home');
  const groupPath = me.groupId ? `/api/groups/${encodeURIComponent(me.groupId)}` : null;
  const participant = me.role === 'participant';
  const group = useApiQuery<Group>(groupPath, token);
  const progress = useMyProgress(0, participant && groupPath !== null);
  const sessions = useApiQuery<SessionList>(groupPath && `${groupPath}/sessions`, token);
  const rounds = useApiQuery<AbRoundList>(participant && groupPath ? `${groupPath}/ab-rounds` : null, token);
  // The page shows once everything on it is known: a group's name, a progress line, a sessions
  // list or an A/B notice that arrived later (and wrapped, on a phone) moved every link below it,
  // under a pointer about to click one.
  if ([group, progress, sessions, rounds].some((query) => query.status === 'loading')) {
    return (
      <p className="status" aria-live="polite">
        {t('loading')}
      </p>
    );
  }

  return (
    <section className="card" aria-labelledby="home-title">
      <h1 id="home-title" dir="auto">
        {me.displayName ? t('welcomeName', { name: me.displayName }) : t('signedIn')}
      </h1>
      <dl className="facts">
        <dt>{t('role.label')}</dt>
        <dd>{t(`role.${me.role}`)}</dd>
        <dt>{t('group.label')}</dt>
        <dd dir="auto">
          {me.groupId === null && t('group.all')}
          {group.status === 'success' && group.data.name}
          {group.status === 'error' && t('group.failed', { message: group.error.message })}
        </dd>
        {me.displayName !== null && (
          <>
            <dt>{t('displayName')}</dt>
            <dd dir="auto">{me.displayName}</dd>
          </>
        )}
      </dl>
      {participant && me.groupId && <JourneyHomeLink groupId={me.groupId} progress={progress} />}
      {me.role === 'moderator' && group.status === 'success' && <InviteLink inviteCode={group.data.inviteCode} />}
      {me.role === 'admin' && <StudiesLink />}
      {participant && me.groupId && <ChatLink groupId={me.groupId} />}
      {(me.role === 'moderator' || me.role === 'analyst') && me.groupId && <ProgressHomeLink groupId={me.groupId} />}
      {me.groupId && me.role === 'moderator' && <TranscriptsLink groupId={me.groupId} />}
      {(me.role === 'moderator' || me.role === 'analyst') && me.groupId && <AgreementLink groupId={me.groupId} />}
      {me.groupId && !participant && <AbStaffLink groupId={me.groupId} />}
      {me.groupId && (
        <Sessions groupId={me.groupId} token={token} sessions={sessions} canCreate={me.role === 'moderator'} />
      )}
      {me.groupId && participant && <AbNotice groupId={me.groupId} rounds={rounds} />}
      <div className="actions">
        <button type="button" className="secondary" onClick={clearToken}>
          {t('signOut')}
        </button>
      </div>
    </section>
  );
}

function Sessions({
  groupId,
  token,
  sessions,
  canCreate,
}: {
  groupId: string;
  token: string | null;
  sessions: QueryState<SessionList>;
  canCreate: boolean;
}) {
  const { t } = useTranslation('home');
  // One session per press: a double-click (or an impatient second click) must not make two.
  const [creating, setCreating] = useState(false);
  const pressed = useRef(false);
  const list = sessions.status === 'success' ? sessions.data.sessions : [];
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t('sessions.title')}</h2>
      {sessions.status === 'error' && (
        <p className="error" role="alert">
          {sessions.error.message}
        </p>
      )}
      {sessions.status === 'success' && list.length === 0 && (
        <p>{canCreate ? t('sessions.none') : t('sessions.waiting')}</p>
      )}
      <ul className="session-list">
        {list.map((s, i) => (
          <li key={s.id}>
            <Link href={`/sessions/${encodeURIComponent(s.id)}`}>
              {t('sessions.item', {
                number: i + 1,
                segment: s.state.segment,
                status: t(`sessions.status.${s.state.status}`),
              })}
            </Link>
          </li>
        ))}
      </ul>
      {canCreate && (
        <button
          type="button"
          disabled={creating}
          onClick={async () => {
            if (pressed.current) return;
            pressed.current = true;
            setCreating(true);
            try {
              const session = await api<{ id: string }>(`/api/groups/${encodeURIComponent(groupId)}/sessions`, {
                method: 'POST',
                token,
              });
              navigate(`/sessions/${encodeURIComponent(session.id)}`);
            } finally {
              pressed.current = false;
              setCreating(false);
            }
          }}
        >
          {t('sessions.create')}
        </button>
      )}
      <p>
        <Link href={`/groups/${encodeURIComponent(groupId)}/summary`}>{t('sessions.summary')}</Link>
      </p>
    </section>
  );
}

function InviteLink({ inviteCode }: { inviteCode: string }) {
  const { t } = useTranslation('home');
  const link = `${window.location.origin}${joinPath(inviteCode)}`;
  return (
    <div className="field">
      <label htmlFor="invite-link">{t('inviteLink')}</label>
      <input id="invite-link" value={link} readOnly onFocus={(event) => event.currentTarget.select()} />
    </div>
  );
}

function SignedOut({ refused }: { refused: RefusedKind | null }) {
  const { t } = useTranslation('home');
  return (
    <section className="card" aria-labelledby="home-title">
      <h1 id="home-title">{t('welcome')}</h1>
      {refused && <RefusedNotice kind={refused} />}
      <RememberedSignIns />
      <p>{t('signedOut.intro')}</p>
      <InviteCodeForm />
      <p className="hint">{t('signedOut.staffHint', { fragment: '#token=…' })}</p>
    </section>
  );
}

function LoadFailed({ error }: { error: ApiError }) {
  const { t } = useTranslation('home');
  return (
    <section className="card" aria-labelledby="home-title">
      <h1 id="home-title">Calma</h1>
      <p className="error" role="alert">
        {t('loadFailed', { message: error.message })}
      </p>
      <p>{t('reload')}</p>
    </section>
  );
}
