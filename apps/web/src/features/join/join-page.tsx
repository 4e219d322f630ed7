import { type FormEvent, useId, useState } from 'react';
import { ApiError, api, networkErrorStatus } from '../../lib/api';
import type { JoinRequest, JoinResponse } from '../../lib/contract';
import { Link, navigate } from '../../lib/router';
import { setToken, useToken } from '../../lib/token';

/** Display names longer than this are refused by the server. */
const displayNameMaxLength = 80;

function joinErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (error.status === 404)
    return 'This invite link is not valid or has expired. Please ask your moderator for a new one.';
  if (error.status === 429) return 'Too many attempts from this network. Please wait a minute and try again.';
  if (error.status === networkErrorStatus)
    return 'Could not reach the Calma server. Check your connection and try again.';
  return error.message;
}

/** Joins a group with an invite code, a display name and the participant's consent. */
export function JoinPage({ inviteCode: initialInviteCode }: { inviteCode: string }) {
  const [inviteCode, setInviteCode] = useState(initialInviteCode);
  const [displayName, setDisplayName] = useState('');
  const [consent, setConsent] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const alreadySignedIn = useToken() !== null;
  const ids = { consentText: useId(), nameHint: useId() };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!consent) {
      setError('Please read the consent text and tick the box to take part.');
      return;
    }
    setSubmitting(true);
    setError(null);
    const body: JoinRequest = { inviteCode: inviteCode.trim(), displayName: displayName.trim(), consent: true };
    try {
      const joined = await api<JoinResponse>('/api/join', { method: 'POST', body });
      setToken(joined.token);
      navigate('/', { replace: true });
    } catch (caught) {
      setError(joinErrorMessage(caught));
      setSubmitting(false);
    }
  };

  return (
    <section className="card" aria-labelledby="join-title">
      <h1 id="join-title">Join your group</h1>
      {alreadySignedIn && (
        <p className="notice">
          This browser tab is already signed in. Joining again makes you a new participant in this tab.
        </p>
      )}
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="invite-code">Invite code</label>
          <input
            id="invite-code"
            name="inviteCode"
            value={inviteCode}
            onChange={(event) => setInviteCode(event.target.value)}
            required
            maxLength={64}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
          />
        </div>
        <div className="field">
          <label htmlFor="display-name">Display name</label>
          <input
            id="display-name"
            name="displayName"
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
            required
            maxLength={displayNameMaxLength}
            autoComplete="nickname"
            aria-describedby={ids.nameHint}
          />
          <p className="hint" id={ids.nameHint}>
            Shown to the others in your group. A first name or a nickname is enough.
          </p>
        </div>
        <fieldset className="consent">
          <legend>Consent</legend>
          <ul id={ids.consentText}>
            <li>Taking part is voluntary. You may stop at any time.</li>
            <li>The labels, attributes and ratings you enter are stored and used for research.</li>
            <li>Your display name is shown to the other members of your group.</li>
          </ul>
          <div className="checkbox">
            <input
              id="consent"
              name="consent"
              type="checkbox"
              checked={consent}
              onChange={(event) => setConsent(event.target.checked)}
              required
              aria-describedby={ids.consentText}
            />
            <label htmlFor="consent">I have read the above and agree to take part.</label>
          </div>
        </fieldset>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={submitting}>
            {submitting ? 'Joining…' : 'Join'}
          </button>
          <Link href="/">Cancel</Link>
        </div>
      </form>
    </section>
  );
}
