import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { ApiError, api, networkErrorStatus } from '../../lib/api';
import type { InviteInfo, JoinRequest, JoinResponse } from '../../lib/contract';
import { applyStudyLanguage } from '../../lib/i18n';
import { deviceKeyFor, normalizeInviteCode, notMe, rememberSignIn, useRememberedSignIns } from '../../lib/remembered';
import { Link, navigate } from '../../lib/router';
import { setToken, useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { InviteCodeForm } from '../home/invite-code-form';
import '../home/identity.css';

/** Display names longer than this are refused by the server. */
const displayNameMaxLength = 80;

function joinErrorKey(error: unknown): string | null {
  if (!(error instanceof ApiError)) return 'error.generic';
  if (error.status === 404) return 'error.invalid';
  if (error.status === 429) return 'error.rateLimited';
  if (error.status === networkErrorStatus) return 'error.network';
  return null;
}

/**
 * Joins a group with an invite code. The invite is checked first (an invalid link says so
 * before the form); a device that joined through this invite before is offered to continue as
 * that person ("Not you?" starts afresh), and joining sends this device's key for the invite,
 * so joining again from here never makes a second person.
 */
export function JoinPage({ inviteCode }: { inviteCode: string }) {
  const { t } = useTranslation('join');
  const code = normalizeInviteCode(inviteCode);
  const invite = useApiQuery<InviteInfo>(code ? `/api/invites/${encodeURIComponent(code)}` : null);
  const remembered = useRememberedSignIns().find((s) => s.kind === 'participant' && s.inviteCode === code);
  const language = invite.status === 'success' ? invite.data.language : null;
  useEffect(() => applyStudyLanguage(language), [language]);

  const heading = <h1 id="join-title">{t('title')}</h1>;
  if (!code)
    return (
      <section className="card" aria-labelledby="join-title">
        {heading}
        <InviteCodeForm />
      </section>
    );
  if (invite.status === 'loading' || invite.status === 'idle')
    return (
      <section className="card" aria-labelledby="join-title">
        {heading}
        <p className="status" aria-live="polite">
          {t('checking')}
        </p>
      </section>
    );
  if (invite.status === 'error')
    return (
      <section className="card" aria-labelledby="join-title">
        {invite.error.status === 404 ? (
          <>
            <h1 id="join-title">{t('invalid.title')}</h1>
            <p className="error" role="alert" data-testid="invalid-invite">
              {t('invalid.text')}
            </p>
            <InviteCodeForm />
          </>
        ) : (
          <>
            {heading}
            <p className="error" role="alert">
              {t(joinErrorKey(invite.error) ?? 'lookupFailed', { message: invite.error.message })}
            </p>
          </>
        )}
      </section>
    );

  const group = invite.data.groupName;
  return (
    <section className="card" aria-labelledby="join-title">
      {heading}
      <p className="hint" dir="auto">
        {t('joining', { group, study: invite.data.studyTitle })}
      </p>
      {remembered ? (
        <div className="welcome-back" data-testid="welcome-back">
          <h2>{t('back.title')}</h2>
          <p dir="auto">{t('back.text', { group, name: remembered.name ?? '' })}</p>
          <div className="actions wrap">
            <button
              type="button"
              onClick={() => {
                setToken(remembered.token);
                navigate('/', { replace: true });
              }}
            >
              <span dir="auto">{t('back.continueAs', { name: remembered.name ?? '' })}</span>
            </button>
            <button type="button" className="secondary" onClick={() => notMe(code)}>
              {t('back.notYou')}
            </button>
          </div>
          <p className="hint">{t('back.notYouHint')}</p>
        </div>
      ) : (
        <JoinForm code={code} />
      )}
    </section>
  );
}

function JoinForm({ code }: { code: string }) {
  const { t } = useTranslation('join');
  const [displayName, setDisplayName] = useState('');
  const [consent, setConsent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const alreadySignedIn = useToken() !== null;
  const ids = { consentText: useId(), nameHint: useId() };
  // A double click (or Enter twice) submits once; the device key makes a repeat harmless anyway.
  const joining = useRef<Promise<void> | null>(null);

  const join = (): Promise<void> => {
    joining.current ??= (async () => {
      setError(null);
      const name = displayName.trim();
      const body: JoinRequest = { inviteCode: code, displayName: name, consent: true, deviceKey: deviceKeyFor(code) };
      try {
        const joined = await api<JoinResponse>('/api/join', { method: 'POST', body });
        setToken(joined.token);
        rememberSignIn({
          kind: 'participant',
          token: joined.token,
          inviteCode: code,
          name,
          role: 'participant',
          groupId: joined.groupId,
        });
        navigate('/', { replace: true });
      } catch (caught) {
        const key = joinErrorKey(caught);
        setError(key ? t(key) : caught instanceof Error ? caught.message : t('error.generic'));
        joining.current = null;
      }
    })();
    return joining.current;
  };
  const blocked = displayName.trim() === '' ? t('needName') : !consent ? t('needConsent') : null;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!blocked) void join();
  };

  return (
    <form onSubmit={submit}>
      {alreadySignedIn && <p className="notice">{t('alreadySignedIn')}</p>}
      <div className="field">
        <label htmlFor="display-name">{t('displayName')}</label>
        <input
          id="display-name"
          name="displayName"
          dir="auto"
          value={displayName}
          onChange={(event) => setDisplayName(event.target.value)}
          required
          maxLength={displayNameMaxLength}
          autoComplete="nickname"
          aria-describedby={ids.nameHint}
        />
        <p className="hint" id={ids.nameHint}>
          {t('nameHint')}
        </p>
      </div>
      <fieldset className="consent">
        <legend>{t('consent.legend')}</legend>
        <ul id={ids.consentText}>
          <li>{t('consent.voluntary')}</li>
          <li>{t('consent.stored')}</li>
          <li>{t('consent.shown')}</li>
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
          <label htmlFor="consent">{t('consent.agree')}</label>
        </div>
      </fieldset>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <ActionButton type="submit" disabledReason={blocked} pendingLabel={t('pending')} onClick={() => join()}>
          {t('join')}
        </ActionButton>
        <Link href="/">{t('cancel')}</Link>
      </div>
    </form>
  );
}
