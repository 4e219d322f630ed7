import { useState } from 'react';
import { type ApiError, api } from '../../lib/api';
import type { Group, Me, Role, SessionList } from '../../lib/contract';
import { joinPath, Link, navigate } from '../../lib/router';
import { clearToken, useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { InviteCodeForm } from './invite-code-form';

const roleNames: Record<Role, string> = {
  admin: 'Administrator',
  moderator: 'Moderator',
  analyst: 'Analyst',
  participant: 'Participant',
};

/** Who this tab is signed in as; or, without a valid token, how to join. */
export function HomePage() {
  const token = useToken();
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);

  switch (me.status) {
    case 'idle':
      return <SignedOut />;
    case 'loading':
      return (
        <p className="status" aria-live="polite">
          Loading…
        </p>
      );
    case 'error':
      if (me.error.status === 401) return <SignedOut expired />;
      return <LoadFailed error={me.error} />;
    case 'success':
      return <SignedIn me={me.data} token={token} />;
  }
}

function SignedIn({ me, token }: { me: Me; token: string | null }) {
  const group = useApiQuery<Group>(me.groupId ? `/api/groups/${encodeURIComponent(me.groupId)}` : null, token);

  return (
    <section className="card" aria-labelledby="home-title">
      <h1 id="home-title">{me.displayName ? `Welcome, ${me.displayName}` : 'Signed in'}</h1>
      <dl className="facts">
        <dt>Role</dt>
        <dd>{roleNames[me.role]}</dd>
        <dt>Group</dt>
        <dd>
          {me.groupId === null && 'All groups (server administrator)'}
          {group.status === 'loading' && 'Loading…'}
          {group.status === 'success' && group.data.name}
          {group.status === 'error' && `Could not load the group: ${group.error.message}`}
        </dd>
        {me.displayName !== null && (
          <>
            <dt>Display name</dt>
            <dd>{me.displayName}</dd>
          </>
        )}
      </dl>
      {me.role === 'moderator' && group.status === 'success' && <InviteLink inviteCode={group.data.inviteCode} />}
      {me.groupId && <Sessions groupId={me.groupId} token={token} canCreate={me.role === 'moderator'} />}
      <div className="actions">
        <button type="button" className="secondary" onClick={clearToken}>
          Sign out of this tab
        </button>
      </div>
    </section>
  );
}

function Sessions({ groupId, token, canCreate }: { groupId: string; token: string | null; canCreate: boolean }) {
  const [created, setCreated] = useState(0);
  const sessions = useApiQuery<SessionList>(`/api/groups/${encodeURIComponent(groupId)}/sessions?v=${created}`, token);
  const list = sessions.status === 'success' ? sessions.data.sessions : [];
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Discuss sessions</h2>
      {sessions.status === 'loading' && <p className="status">Loading…</p>}
      {sessions.status === 'success' && list.length === 0 && (
        <p>
          {canCreate ? 'No session yet.' : 'The discussion board appears here once your moderator creates a session.'}
        </p>
      )}
      <ul className="session-list">
        {list.map((s, i) => (
          <li key={s.id}>
            <Link href={`/sessions/${encodeURIComponent(s.id)}`}>
              Session {i + 1}: segment {s.state.segment}, {s.state.status}
            </Link>
          </li>
        ))}
      </ul>
      {canCreate && (
        <button
          type="button"
          onClick={async () => {
            const session = await api<{ id: string }>(`/api/groups/${encodeURIComponent(groupId)}/sessions`, {
              method: 'POST',
              token,
            });
            setCreated((n) => n + 1);
            navigate(`/sessions/${encodeURIComponent(session.id)}`);
          }}
        >
          New session
        </button>
      )}
      <p>
        <Link href={`/groups/${encodeURIComponent(groupId)}/summary`}>Group summary</Link>
      </p>
    </section>
  );
}

function InviteLink({ inviteCode }: { inviteCode: string }) {
  const link = `${window.location.origin}${joinPath(inviteCode)}`;
  return (
    <div className="field">
      <label htmlFor="invite-link">Invite link for participants</label>
      <input id="invite-link" value={link} readOnly onFocus={(event) => event.currentTarget.select()} />
    </div>
  );
}

function SignedOut({ expired = false }: { expired?: boolean }) {
  return (
    <section className="card" aria-labelledby="home-title">
      <h1 id="home-title">Welcome to Calma</h1>
      {expired && (
        <p className="notice" role="status">
          The sign-in for this tab is no longer valid. Please use your invite link again.
        </p>
      )}
      <p>
        Calma hosts moderated group discussions. To take part, ask your moderator for an invite link and open it in this
        browser, or paste the invite code below.
      </p>
      <InviteCodeForm />
      <p className="hint">
        Moderators and analysts: open the sign-in link you were given (it ends in <code>#token=…</code>).
      </p>
    </section>
  );
}

function LoadFailed({ error }: { error: ApiError }) {
  return (
    <section className="card" aria-labelledby="home-title">
      <h1 id="home-title">Calma</h1>
      <p className="error" role="alert">
        Could not load your sign-in: {error.message}
      </p>
      <p>Reload the page to try again.</p>
    </section>
  );
}
