import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { joinPath, navigate } from '../../lib/router';

/** Accepts a bare code or a whole pasted invite link (`http://…/join/CODE`). */
export function inviteCodeFromInput(input: string): string {
  const trimmed = input.trim();
  const fromLink = /\/join\/([^/?#\s]+)/.exec(trimmed);
  if (!fromLink?.[1]) return trimmed;
  try {
    return decodeURIComponent(fromLink[1]);
  } catch {
    return fromLink[1];
  }
}

/** A field to paste an invite code or link into; goes on to the join page. */
export function InviteCodeForm() {
  const { t } = useTranslation('home');
  const [value, setValue] = useState('');
  const code = inviteCodeFromInput(value);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (code !== '') navigate(joinPath(code));
  };

  return (
    <form onSubmit={submit} className="inline-form">
      <div className="field">
        <label htmlFor="invite-input">{t('inviteForm.label')}</label>
        <input
          id="invite-input"
          name="invite"
          value={value}
          onChange={(event) => setValue(event.target.value)}
          required
          autoComplete="off"
          spellCheck={false}
          placeholder={t('inviteForm.placeholder')}
        />
      </div>
      <ActionButton type="submit" disabledReason={code === '' ? t('inviteForm.empty') : null}>
        {t('inviteForm.submit')}
      </ActionButton>
    </form>
  );
}
