import { normalizedName, sharedNames } from '@calma/core';
import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import './people-panel.css';

interface Person {
  id: string;
  displayName: string;
  joinedAt: string;
}

/** What the confirmation dialog asks about. */
type Pending = { type: 'merge'; from: Person } | { type: 'remove'; person: Person };

/**
 * The moderator's list of the group's people: when each joined, and the corrections a real
 * session needs — rename, merge a duplicate (someone who joined twice) into the person they are,
 * remove someone who should not count. Merge and remove ask first, in a modal dialog. The list
 * itself comes from the page, which refetches it whenever the group's participants change.
 */
export function PeoplePanel({
  groupId,
  token,
  participants,
}: {
  groupId: string;
  token: string;
  participants: Person[] | null;
}) {
  const { t, i18n } = useTranslation('people');
  const [renaming, setRenaming] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [error, setError] = useState<string | null>(null);
  const people = participants ?? [];
  const shared = useMemo(() => sharedNames(people.map((p) => p.displayName)), [people]);
  const base = `/api/groups/${encodeURIComponent(groupId)}/participants`;
  const time = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' });

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(t('failed', { message: caught instanceof Error ? caught.message : String(caught) }));
      return false;
    }
  };
  const duplicates = people.filter(
    (p, i) =>
      people.findIndex((q) => normalizedName(q.displayName) === normalizedName(p.displayName)) === i &&
      shared.has(normalizedName(p.displayName)),
  );

  return (
    <section className="card people-panel" aria-labelledby="people-title">
      <h2 id="people-title">{t('title')}</h2>
      <p className="hint" data-testid="people-count">
        {participants === null ? null : people.length === 0 ? t('none') : t('count', { count: people.length })}
      </p>
      {duplicates.map((p) => (
        <p key={p.id} className="notice" dir="auto">
          {t('sameName', { name: p.displayName })}
        </p>
      ))}
      <ul className="people-list">
        {people.map((p) => (
          <li key={p.id} data-participant-id={p.id}>
            {renaming === p.id ? (
              <RenameForm
                person={p}
                onCancel={() => setRenaming(null)}
                onSave={async (displayName) => {
                  const ok = await run(() =>
                    api(`${base}/${encodeURIComponent(p.id)}`, { method: 'PATCH', body: { displayName }, token }),
                  );
                  if (ok) setRenaming(null);
                }}
              />
            ) : (
              <>
                <span className="person-name" dir="auto">
                  {p.displayName}
                </span>{' '}
                <span className="hint">{t('joined', { time: time.format(new Date(p.joinedAt)) })}</span>
                <span className="person-actions">
                  <button type="button" className="secondary" onClick={() => setRenaming(p.id)}>
                    {t('rename')}
                  </button>
                  <ActionButton
                    className="secondary"
                    disabledReason={people.length < 2 ? t('reason.nobodyElse') : null}
                    onClick={() => setPending({ type: 'merge', from: p })}
                  >
                    {t('merge')}
                  </ActionButton>
                  <button
                    type="button"
                    className="secondary danger"
                    onClick={() => setPending({ type: 'remove', person: p })}
                  >
                    {t('remove')}
                  </button>
                </span>
              </>
            )}
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ConfirmDialog
        pending={pending}
        people={people}
        onClose={() => setPending(null)}
        onMerge={(from, into) =>
          run(() =>
            api(`${base}/${encodeURIComponent(from.id)}/merge`, { method: 'POST', body: { into: into.id }, token }),
          )
        }
        onRemove={(person) => run(() => api(`${base}/${encodeURIComponent(person.id)}`, { method: 'DELETE', token }))}
      />
    </section>
  );
}

function RenameForm({
  person,
  onSave,
  onCancel,
}: {
  person: Person;
  onSave: (displayName: string) => Promise<void>;
  onCancel: () => void;
}) {
  const { t } = useTranslation('people');
  const [name, setName] = useState(person.displayName);
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
  };
  return (
    <form className="rename-form" onSubmit={submit}>
      <label htmlFor={id}>{t('renameLabel', { name: person.displayName })}</label>
      <input id={id} dir="auto" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} ref={input} />
      <ActionButton
        type="submit"
        disabledReason={name.trim() === '' ? t('reason.nameBlank') : null}
        onClick={() => onSave(name.trim())}
      >
        {t('save')}
      </ActionButton>
      <button type="button" className="secondary" onClick={onCancel}>
        {t('cancel')}
      </button>
    </form>
  );
}

/** The modal that confirms a merge (choosing whom into) or a removal. */
function ConfirmDialog({
  pending,
  people,
  onClose,
  onMerge,
  onRemove,
}: {
  pending: Pending | null;
  people: Person[];
  onClose: () => void;
  onMerge: (from: Person, into: Person) => Promise<boolean>;
  onRemove: (person: Person) => Promise<boolean>;
}) {
  const { t } = useTranslation('people');
  const dialog = useRef<HTMLDialogElement>(null);
  const [into, setInto] = useState('');
  const ids = { title: useId(), text: useId(), select: useId() };
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (pending && !element.open) element.showModal();
    if (!pending && element.open) element.close();
    setInto('');
  }, [pending]);

  const target = people.find((p) => p.id === into);
  const others = pending?.type === 'merge' ? people.filter((p) => p.id !== pending.from.id) : [];
  const finish = (ok: boolean) => {
    if (ok) onClose();
  };

  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      aria-labelledby={ids.title}
      aria-describedby={ids.text}
      onClose={onClose}
    >
      {pending?.type === 'merge' && (
        <>
          <h2 id={ids.title} dir="auto">
            {target
              ? t('confirm.mergeTitle', { from: pending.from.displayName, into: target.displayName })
              : t('mergeLabel', { name: pending.from.displayName })}
          </h2>
          <div className="field">
            <label htmlFor={ids.select}>{t('mergeLabel', { name: pending.from.displayName })}</label>
            <select id={ids.select} value={into} onChange={(e) => setInto(e.target.value)}>
              <option value="">{t('choose')}</option>
              {others.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.displayName} ({new Date(p.joinedAt).toLocaleTimeString()})
                </option>
              ))}
            </select>
          </div>
          <p id={ids.text} dir="auto">
            {t('confirm.mergeText', { from: pending.from.displayName, into: target?.displayName ?? '…' })}
          </p>
          <div className="actions wrap">
            <ActionButton
              disabledReason={target ? null : t('reason.chooseFirst')}
              onClick={async () => target && finish(await onMerge(pending.from, target))}
            >
              {t('confirm.merge')}
            </ActionButton>
            <button type="button" className="secondary" onClick={onClose}>
              {t('confirm.cancel')}
            </button>
          </div>
        </>
      )}
      {pending?.type === 'remove' && (
        <>
          <h2 id={ids.title} dir="auto">
            {t('confirm.removeTitle', { name: pending.person.displayName })}
          </h2>
          <p id={ids.text} dir="auto">
            {t('confirm.removeText', { name: pending.person.displayName })}
          </p>
          <div className="actions wrap">
            <ActionButton className="danger" onClick={async () => finish(await onRemove(pending.person))}>
              {t('confirm.remove')}
            </ActionButton>
            <button type="button" className="secondary" onClick={onClose}>
              {t('confirm.cancel')}
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
