import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../lib/contract';
import { applyStudyLanguage } from '../../lib/i18n';
import {
  forgetSignIn,
  notMe,
  type RememberedSignIn,
  rememberedByToken,
  updateRemembered,
  useRememberedSignIns,
} from '../../lib/remembered';
import { Link } from '../../lib/router';
import { clearToken, setToken } from '../../lib/token';
import type { QueryState } from '../../lib/use-api-query';

/** Whose sign-in the server refused: the message differs (an invite link, or the administrator). */
export type RefusedKind = RememberedSignIn['kind'] | 'unknown';

/**
 * Follows this tab's `/api/me`: once it answers, the remembered sign-in learns the name and role
 * and the study's language applies; when the server refuses the token (401), this device forgets
 * it, the tab signs out, and the kind of sign-in refused is returned for {@link RefusedNotice}.
 */
export function useSignInCheck(me: QueryState<Me>, token: string | null): RefusedKind | null {
  const [refused, setRefused] = useState<RefusedKind | null>(null);
  useEffect(() => {
    if (!token) return;
    if (me.status === 'success') {
      setRefused(null);
      applyStudyLanguage(me.data.language);
      updateRemembered(token, {
        name: me.data.displayName,
        role: me.data.role,
        groupId: me.data.groupId,
      });
    } else if (me.status === 'error' && me.error.status === 401) {
      setRefused(rememberedByToken(token)?.kind ?? 'unknown');
      forgetSignIn(token);
      clearToken();
    }
  }, [me, token]);
  return refused;
}

/** What to do about a refused sign-in, in words fit for who it was. */
export function RefusedNotice({ kind }: { kind: RefusedKind }) {
  const { t } = useTranslation('home');
  return (
    <p className="notice" role="alert" data-testid="sign-in-refused">
      {t(`refused.${kind}`)}
    </p>
  );
}

/**
 * The sign-ins remembered on this device, each to continue with ("Continue as Chen") or, for a
 * participant, to forget ("Not you?": the next join from here makes a new person).
 */
export function RememberedSignIns() {
  const { t } = useTranslation('home');
  const signIns = useRememberedSignIns();
  if (signIns.length === 0) return null;
  const label = (s: RememberedSignIn) =>
    s.kind === 'participant' && s.name
      ? t('remembered.continueAs', { name: s.name })
      : s.role
        ? t('remembered.continueRole', { role: t(`role.${s.role}`) })
        : t('remembered.continueLink');
  return (
    <section className="remembered" aria-labelledby="remembered-title">
      <h2 id="remembered-title">{t('remembered.title')}</h2>
      <p className="hint">{t('remembered.intro')}</p>
      <ul className="remembered-list">
        {signIns.map((s) => (
          <li key={s.token}>
            <button type="button" onClick={() => setToken(s.token)}>
              <span dir="auto">{label(s)}</span>
            </button>
            <button
              type="button"
              className="link-button"
              aria-label={t('remembered.notYouLabel', { name: s.name ?? t(`role.${s.role ?? 'participant'}`) })}
              onClick={() => (s.kind === 'participant' && s.inviteCode ? notMe(s.inviteCode) : forgetSignIn(s.token))}
            >
              {t('remembered.notYou')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A page that needs a sign-in, opened without one: continue with a remembered one, or go home. */
export function SignInFirst({ refused }: { refused: RefusedKind | null }) {
  const { t } = useTranslation('home');
  return (
    <section className="card" aria-labelledby="sign-in-first-title">
      <h1 id="sign-in-first-title">{t('signInFirst.title')}</h1>
      {refused && <RefusedNotice kind={refused} />}
      <RememberedSignIns />
      <p>
        {t('signInFirst.text')} <Link href="/">{t('signInFirst.home')}</Link>
      </p>
    </section>
  );
}
