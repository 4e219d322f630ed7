import { highlightSegments } from '@calma/core';
import type { CodingList } from '@calma/protocol';
import { type RefObject, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { ApiError, api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { CodeField } from './code-field';
import {
  type Draft,
  type DraftSpan,
  ownerKey,
  type PendingCode,
  readAt,
  readDraft,
  readPending,
  selectionSpan,
  turnKey,
  writeAt,
  writeDraft,
  writePending,
} from './coding-store';
import './coding.css';

type Turn = CodingList['turns'][number];
type Saving = PendingCode & { state: 'saving' | 'failed'; error?: string; retryable?: boolean };

/** The coding page of a group. */
export const codingPath = (groupId: string) => `/groups/${encodeURIComponent(groupId)}/coding`;

/** Failures worth trying again by themselves: no answer, the server busy or failing. */
const retryable = (error: unknown) =>
  !(error instanceof ApiError) || error.status === 0 || error.status === 429 || error.status >= 500;

const retryMs = 3000;

/** Whether a key press is someone typing (shortcuts then stay out of the way). */
const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/**
 * Initial coding: the person works through the model's answers they may code (their own
 * conversations, the baseline set, others' shared ones), one turn at a time. A code goes on the
 * whole turn or on selected words, with an optional note; it is saved when added, an unsent draft
 * is kept per turn in this browser, and the page re-reads the server (the truth) when it gets
 * focus, after each save and when another tab saved.
 */
export function CodingPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('coding');
  const token = useToken();
  if (!token)
    return (
      <section className="card" aria-labelledby="coding-title">
        <h1 id="coding-title">{t('title')}</h1>
        <p className="error">{t('signedOut')}</p>
      </section>
    );
  return <Coding key={`${groupId}:${token}`} groupId={groupId} token={token} />;
}

function Coding({ groupId, token }: { groupId: string; token: string }) {
  const { t } = useTranslation('coding');
  const base = `/api/groups/${encodeURIComponent(groupId)}`;
  const owner = useMemo(() => ownerKey(groupId, token), [groupId, token]);
  const [data, setData] = useState<CodingList | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [at, setAt] = useState<string | null>(() => readAt(owner));
  const [saving, setSaving] = useState<Saving[]>(() => readPending(owner).map((p) => ({ ...p, state: 'saving' })));
  const [removeError, setRemoveError] = useState<string | null>(null);
  const seq = useRef(0);
  const channel = useRef<BroadcastChannel | null>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const alive = useRef(true);

  const refetch = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const list = await api<CodingList>(`${base}/coding`, { token });
      if (mine === seq.current) {
        setData(list);
        setLoadError(null);
      }
    } catch (error) {
      if (mine === seq.current) setLoadError(error);
    }
  }, [base, token]);

  const told = useCallback(() => {
    channel.current?.postMessage('changed');
    void refetch();
  }, [refetch]);

  useEffect(() => {
    alive.current = true;
    void refetch();
    const onFocus = () => void refetch();
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refetch();
    };
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onVisible);
    if (typeof BroadcastChannel !== 'undefined') {
      channel.current = new BroadcastChannel(`calma.coding.${owner}`);
      channel.current.onmessage = () => void refetch();
    }
    return () => {
      alive.current = false;
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onVisible);
      channel.current?.close();
      channel.current = null;
    };
  }, [refetch, owner]);

  // Codes not yet confirmed are kept across reloads until the server has them.
  useEffect(() => {
    writePending(
      owner,
      saving.map(({ state: _s, error: _e, retryable: _r, ...p }) => p),
    );
  }, [saving, owner]);

  const send = useCallback(
    async (code: PendingCode) => {
      setSaving((list) => list.map((p) => (p.localId === code.localId ? { ...p, state: 'saving' } : p)));
      try {
        await api(`${base}/labels`, {
          method: 'POST',
          token,
          body: {
            labels: [
              {
                text: code.text.trim(),
                stage: 'initial',
                interactionId: code.interactionId,
                messageIndex: code.messageIndex,
                ...(code.note.trim() ? { annotation: code.note } : {}),
                ...(code.span ? { span: code.span } : {}),
              },
            ],
          },
        });
        await refetch();
        setSaving((list) => list.filter((p) => p.localId !== code.localId));
        channel.current?.postMessage('changed');
      } catch (error) {
        const again = retryable(error);
        setSaving((list) =>
          list.map((p) =>
            p.localId === code.localId ? { ...p, state: 'failed', error: errorText(error), retryable: again } : p,
          ),
        );
        if (again)
          window.setTimeout(() => {
            if (!alive.current) return;
            const still = readPending(owner).find((p) => p.localId === code.localId);
            if (still) void send(still);
          }, retryMs);
      }
    },
    [base, token, refetch, owner],
  );

  // What was left unsaved by an earlier visit is sent again once.
  const resent = useRef(false);
  useEffect(() => {
    if (resent.current) return;
    resent.current = true;
    for (const p of readPending(owner)) void send(p);
  }, [owner, send]);

  const turns = data?.turns ?? [];
  const index = Math.max(
    0,
    turns.findIndex((turn) => turnKey(turn.interactionId, turn.messageIndex) === at),
  );
  const turn = turns[index];
  const go = useCallback(
    (to: number) => {
      const target = turns[Math.min(Math.max(to, 0), turns.length - 1)];
      if (!target) return;
      const key = turnKey(target.interactionId, target.messageIndex);
      setAt(key);
      writeAt(owner, key);
      window.getSelection()?.removeAllRanges();
    },
    [turns, owner],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || typing(event.target)) return;
      const next = (event.key === 'j' && !event.altKey) || (event.altKey && event.key === 'ArrowDown');
      const previous = (event.key === 'k' && !event.altKey) || (event.altKey && event.key === 'ArrowUp');
      if (next || previous) {
        event.preventDefault();
        go(index + (next ? 1 : -1));
      } else if ((event.key === 'c' || event.key === '/') && !event.altKey) {
        event.preventDefault();
        codeInput.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [go, index]);

  const progress = data?.progress;
  return (
    <section className="card coding-page" aria-labelledby="coding-title">
      <nav className="coding-nav" aria-label={t('nav.label')}>
        <Link href={`/groups/${encodeURIComponent(groupId)}/journey`}>{t('nav.journey')}</Link>
        <Link href="/">{t('nav.home')}</Link>
      </nav>
      <h1 id="coding-title">{t('title')}</h1>
      <p>{t('intro')}</p>
      {progress && (
        <p className="coding-progress" data-testid="coding-progress" aria-live="polite">
          <strong>{t('progress', { coded: progress.coded, count: progress.total })}</strong>
          <progress value={progress.coded} max={Math.max(progress.total, 1)} aria-hidden="true" />
        </p>
      )}
      {loadError !== null && (
        <p className="error" role="alert">
          {errorText(loadError)}{' '}
          <button type="button" onClick={() => void refetch()}>
            {t('retryLoad')}
          </button>
        </p>
      )}
      {!data && loadError === null && <p className="status">{t('loading')}</p>}
      {data && turns.length === 0 && <p>{t('none')}</p>}
      {turn && (
        <TurnView
          key={turnKey(turn.interactionId, turn.messageIndex)}
          turn={turn}
          position={index + 1}
          count={turns.length}
          owner={owner}
          token={token}
          suggestPath={`${base}/codes/suggest`}
          codeInput={codeInput}
          saving={saving.filter((p) => p.interactionId === turn.interactionId && p.messageIndex === turn.messageIndex)}
          onPrevious={index > 0 ? () => go(index - 1) : null}
          onNext={index < turns.length - 1 ? () => go(index + 1) : null}
          onAdd={(code) => {
            setSaving((list) => [...list, { ...code, state: 'saving' }]);
            void send(code);
          }}
          onRetry={(code) => void send(code)}
          onDiscard={(localId) => setSaving((list) => list.filter((p) => p.localId !== localId))}
          onRemove={async (id) => {
            try {
              setRemoveError(null);
              await api(`/api/labels/${encodeURIComponent(id)}`, { method: 'DELETE', token });
            } catch (error) {
              if (!(error instanceof ApiError && error.status === 404)) setRemoveError(errorText(error));
            }
            told();
          }}
          onChanged={told}
          removeError={removeError}
        />
      )}
      <Shortcuts />
    </section>
  );
}

function TurnView({
  turn,
  position,
  count,
  owner,
  token,
  suggestPath,
  codeInput,
  saving,
  onPrevious,
  onNext,
  onAdd,
  onRetry,
  onDiscard,
  onRemove,
  onChanged,
  removeError,
}: {
  turn: Turn;
  position: number;
  count: number;
  owner: string;
  token: string;
  suggestPath: string;
  codeInput: RefObject<HTMLInputElement | null>;
  saving: Saving[];
  onPrevious: (() => void) | null;
  onNext: (() => void) | null;
  onAdd: (code: PendingCode) => void;
  onRetry: (code: PendingCode) => void;
  onDiscard: (localId: string) => void;
  onRemove: (id: string) => Promise<void>;
  onChanged: () => void;
  removeError: string | null;
}) {
  const { t } = useTranslation('coding');
  const id = useId();
  const key = turnKey(turn.interactionId, turn.messageIndex);
  const [draft, setDraft] = useState<Draft>(() => readDraft(owner, key));
  const restored = useRef(draft.text !== '' || draft.note !== '' || draft.span !== null);
  const response = useRef<HTMLDivElement>(null);
  const [addError, setAddError] = useState<string | null>(null);

  const update = useCallback(
    (change: Partial<Draft>) =>
      setDraft((d) => {
        const next = { ...d, ...change };
        writeDraft(owner, key, next);
        return next;
      }),
    [owner, key],
  );

  // A selection inside the response becomes the span to code; a selection elsewhere leaves it.
  useEffect(() => {
    if (turn.masked) return undefined;
    const onSelection = () => {
      const el = response.current;
      if (!el) return;
      const span = selectionSpan(el);
      if (span) update({ span });
    };
    document.addEventListener('selectionchange', onSelection);
    return () => document.removeEventListener('selectionchange', onSelection);
  }, [turn.masked, update]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !typing(event.target) && draft.span) {
        update({ span: null });
        window.getSelection()?.removeAllRanges();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [draft.span, update]);

  const span: DraftSpan | null =
    !turn.masked && draft.span && draft.span.end <= turn.response.length ? draft.span : null;
  const add = () => {
    const text = draft.text.trim();
    if (text === '') {
      setAddError(t('addReason.empty'));
      return;
    }
    setAddError(null);
    onAdd({
      localId: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
      interactionId: turn.interactionId,
      messageIndex: turn.messageIndex,
      text,
      note: draft.note,
      span,
    });
    restored.current = false;
    update({ text: '', note: '', span: null });
    window.getSelection()?.removeAllRanges();
  };

  const segments = highlightSegments(
    turn.response.length,
    turn.codes.flatMap((c) => (c.span && !c.spanStale ? [{ id: c.id, ...c.span }] : [])),
  );
  const names = new Map(turn.codes.map((c) => [c.id, c.text]));
  const excerpt = (s: DraftSpan) => turn.response.slice(s.start, s.end);

  return (
    <article className="coding-turn" aria-labelledby={`${id}-heading`} data-testid="coding-turn">
      <div className="coding-turn-head">
        <h2 id={`${id}-heading`} aria-live="polite">
          {t('position', { n: position, count })}
        </h2>
        <span className={`badge coding-kind ${turn.kind}`}>{t(`kind.${turn.kind}`)}</span>
        <div className="coding-turn-nav">
          <ActionButton onClick={() => onPrevious?.()} disabledReason={onPrevious ? null : t('nav.first')}>
            {t('nav.previous')}
          </ActionButton>
          <ActionButton onClick={() => onNext?.()} disabledReason={onNext ? null : t('nav.last')}>
            {t('nav.next')}
          </ActionButton>
        </div>
      </div>
      <h3 className="coding-label">{t('prompt')}</h3>
      {turn.prompt === null ? (
        <p className="hint">{t('noPrompt')}</p>
      ) : (
        <div className="coding-text coding-prompt" dir="auto">
          {turn.prompt}
        </div>
      )}
      <h3 className="coding-label" id={`${id}-response`}>
        {t('response')}
      </h3>
      {turn.masked && <p className="notice">{t('masked')}</p>}
      <div ref={response} className="coding-text coding-response" dir="auto" data-testid="coding-response">
        {segments.map((s) =>
          s.ids.length === 0 ? (
            turn.response.slice(s.start, s.end)
          ) : (
            <mark
              key={`${s.start}`}
              className={s.ids.length > 1 ? 'coding-mark many' : 'coding-mark'}
              title={s.ids.map((x) => names.get(x)).join(', ')}
            >
              {turn.response.slice(s.start, s.end)}
            </mark>
          ),
        )}
      </div>

      <form
        className="coding-form"
        onSubmit={(event) => {
          event.preventDefault();
          add();
        }}
        aria-labelledby={`${id}-form`}
      >
        <h3 id={`${id}-form`} className="coding-label">
          {t('form.title')}
        </h3>
        {restored.current && (
          <p className="hint" data-testid="draft-restored">
            {t('draftRestored')}
          </p>
        )}
        <p className="coding-span" data-testid="coding-span">
          {span ? (
            <>
              {t('span.selected')}{' '}
              <q dir="auto" className="coding-quote">
                {excerpt(span)}
              </q>{' '}
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  update({ span: null });
                  window.getSelection()?.removeAllRanges();
                }}
              >
                {t('span.clear')}
              </button>
            </>
          ) : (
            t(turn.masked ? 'span.wholeMasked' : 'span.whole')
          )}
        </p>
        <div className="coding-field">
          <label htmlFor={`${id}-code`}>{t('field.code')}</label>
          <CodeField
            value={draft.text}
            onChange={(text) => update({ text })}
            onSubmit={add}
            suggestPath={suggestPath}
            token={token}
            inputRef={codeInput}
            inputId={`${id}-code`}
            describedBy={`${id}-code-hint`}
          />
          <span id={`${id}-code-hint`} className="hint">
            {t('field.codeHint')}
          </span>
        </div>
        <label className="coding-field">
          <span>{t('field.note')}</span>
          <textarea
            dir="auto"
            rows={2}
            maxLength={5000}
            value={draft.note}
            onChange={(event) => update({ note: event.target.value })}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
                event.preventDefault();
                add();
              } else if (event.key === 'Escape') event.currentTarget.blur();
            }}
          />
        </label>
        <ActionButton type="submit" disabledReason={draft.text.trim() === '' ? t('addReason.empty') : null}>
          {t('add')}
        </ActionButton>
        {addError && (
          <p className="error" role="alert">
            {addError}
          </p>
        )}
      </form>

      <section className="coding-codes" aria-labelledby={`${id}-codes`}>
        <h3 id={`${id}-codes`} className="coding-label">
          {t('codes.title')}
        </h3>
        {removeError && (
          <p className="error" role="alert">
            {removeError}
          </p>
        )}
        {turn.codes.length === 0 && saving.length === 0 && <p className="hint">{t('codes.none')}</p>}
        <ul className="coding-code-list" data-testid="coding-codes">
          {turn.codes.map((code) => (
            <li key={code.id} className="coding-code">
              <span className="coding-code-text" dir="auto">
                {code.text}
              </span>
              <span className="hint">{code.span ? <q dir="auto">{excerpt(code.span)}</q> : t('code.whole')}</span>
              {code.spanStale && <span className="badge warn">{t('code.stale')}</span>}
              <NoteEditor code={code} token={token} onSaved={onChanged} />
              <ActionButton
                className="coding-remove"
                aria-label={t('removeLabel', { code: code.text })}
                onClick={() => onRemove(code.id)}
              >
                {t('remove')}
              </ActionButton>
            </li>
          ))}
          {saving.map((p) => (
            <li key={p.localId} className={`coding-code ${p.state}`} data-testid="coding-pending">
              <span className="coding-code-text" dir="auto">
                {p.text}
              </span>
              <span className="hint">{p.span ? <q dir="auto">{excerpt(p.span)}</q> : t('code.whole')}</span>
              {p.state === 'saving' ? (
                <span className="status">{t('pending.saving')}</span>
              ) : (
                <span className="error" role="alert">
                  {t('pending.failed', { error: p.error })} {p.retryable ? t('pending.retrying') : ''}
                  <button type="button" onClick={() => onRetry(p)}>
                    {t('pending.retry')}
                  </button>
                  <button type="button" onClick={() => onDiscard(p.localId)}>
                    {t('pending.discard')}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}

/** A code's note (why), shown and changed in place; saved with `PATCH /api/labels/:id`. */
function NoteEditor({ code, token, onSaved }: { code: Turn['codes'][number]; token: string; onSaved: () => void }) {
  const { t } = useTranslation('coding');
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(code.note ?? '');
  const [error, setError] = useState<string | null>(null);
  if (!editing)
    return (
      <>
        {code.note && (
          <span className="coding-code-note" dir="auto">
            {code.note}
          </span>
        )}
        <button
          type="button"
          className="link-button"
          aria-label={t('note.editLabel', { code: code.text })}
          onClick={() => {
            setText(code.note ?? '');
            setEditing(true);
          }}
        >
          {code.note ? t('note.edit') : t('note.add')}
        </button>
      </>
    );
  const save = async () => {
    try {
      setError(null);
      await api(`/api/labels/${encodeURIComponent(code.id)}`, {
        method: 'PATCH',
        token,
        body: { annotation: text.trim() === '' ? null : text },
      });
      setEditing(false);
      onSaved();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <span className="coding-note-editor">
      <label htmlFor={`${id}-note`}>{t('note.label', { code: code.text })}</label>
      <textarea
        id={`${id}-note`}
        dir="auto"
        rows={2}
        maxLength={5000}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setEditing(false);
          else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            void save();
          }
        }}
      />
      <span className="coding-note-actions">
        <ActionButton onClick={save}>{t('note.save')}</ActionButton>
        <button type="button" onClick={() => setEditing(false)}>
          {t('note.cancel')}
        </button>
      </span>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

function Shortcuts() {
  const { t } = useTranslation('coding');
  const rows = ['next', 'previous', 'focus', 'add', 'accept', 'cancel', 'note'] as const;
  return (
    <section className="coding-shortcuts" aria-labelledby="coding-shortcuts-title">
      <h2 id="coding-shortcuts-title">{t('shortcuts.title')}</h2>
      <dl>
        {rows.map((row) => (
          <div key={row}>
            <dt>
              <kbd>{t(`shortcuts.${row}.keys`)}</kbd>
            </dt>
            <dd>{t(`shortcuts.${row}.what`)}</dd>
          </div>
        ))}
      </dl>
      <p className="hint">{t('shortcuts.notInFields')}</p>
    </section>
  );
}
