import type { Attribute, AttributeExample } from '@calma/protocol';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { ApiError, api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { type CodedTurn, draftOf, type OwnCode, sameAsSaved, toAttributeCodes } from './codes';
import type { AttributeDraft } from './draft';
import { ExamplesField } from './examples-field';
import { VersionHistory } from './version-history';

interface Props {
  groupId: string;
  token: string;
  draft: AttributeDraft;
  /** The attribute as last loaded from the server, when the draft edits one. */
  saved: Attribute | null;
  codes: OwnCode[];
  turns: CodedTurn[];
  textOf: (labelId: string) => string | null;
  onDraft: (draft: AttributeDraft) => void;
  onSaved: (draft: AttributeDraft) => void;
  onDeleted: () => void;
  /** The attribute as the server has it now (after a conflict). */
  reloadAttribute: () => Promise<Attribute | null>;
}

type Conflict = { serverVersion: number | null; current: Attribute | null };

/**
 * The attribute editor: name, definition, signed codes, example turns. Saving a new one POSTs;
 * an edit PATCHes with the version it started from, so a change made elsewhere meanwhile is
 * reported (409) and never overwritten.
 */
export function AttributeEditor(props: Props) {
  const { groupId, token, draft, saved, codes, turns, textOf, onDraft, onSaved, onDeleted, reloadAttribute } = props;
  const { t } = useTranslation('attributes');
  const ids = { name: useId(), definition: useId(), add: useId() };
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [adding, setAdding] = useState('');

  // Another attribute opened: what was said about the last one no longer applies (reset while
  // rendering, as React advises for state derived from a prop).
  const [openId, setOpenId] = useState(draft.attributeId);
  if (openId !== draft.attributeId) {
    setOpenId(draft.attributeId);
    setConflict(null);
    setConfirming(false);
    setProblem(null);
    setAdding('');
  }

  const update = (change: Partial<AttributeDraft>) => {
    setStatus(null);
    onDraft({ ...draft, ...change });
  };
  const unchanged = saved !== null && sameAsSaved(draft, draftOf(saved, textOf));
  const free = codes.filter((c) => !draft.codes.some((d) => d.text.toLowerCase() === c.text.toLowerCase()));

  const save = async () => {
    setProblem(null);
    const body = {
      name: draft.name.trim(),
      definition: draft.definition.trim(),
      codes: toAttributeCodes(draft.codes, codes),
      examples: draft.examples,
    };
    try {
      if (draft.attributeId === null) {
        const { id } = await api<{ id: string }>(`/api/groups/${encodeURIComponent(groupId)}/attributes`, {
          method: 'POST',
          token,
          body,
        });
        onSaved({ ...draft, attributeId: id, version: 1, suggestionId: null });
        setStatus(t('editor.savedAs', { version: 1 }));
      } else {
        const next = await api<Attribute>(`/api/attributes/${encodeURIComponent(draft.attributeId)}`, {
          method: 'PATCH',
          token,
          body: { ...body, ...(draft.version === null ? {} : { version: draft.version }) },
        });
        onSaved({ ...draft, version: next.version });
        setStatus(t('editor.savedAs', { version: next.version }));
      }
    } catch (error) {
      if (error instanceof ApiError && error.code === 'STALE_REVISION') {
        const current = await reloadAttribute().catch(() => null);
        setConflict({ serverVersion: current?.version ?? null, current });
      } else setProblem(errorText(error));
    }
  };

  const share = async () => {
    if (!saved || draft.attributeId === null) return;
    setProblem(null);
    try {
      const next = await api<Attribute>(`/api/attributes/${encodeURIComponent(draft.attributeId)}/share`, {
        method: 'POST',
        token,
        body: { shared: !saved.shared },
      });
      // Sharing is a version too: an edit from the version just before it goes on from this one.
      onSaved({ ...draft, version: draft.version === next.version - 1 ? next.version : draft.version });
      setStatus(next.shared ? t('share.sharedNow') : t('share.withheldNow'));
    } catch (error) {
      setProblem(errorText(error));
    }
  };

  const remove = async () => {
    if (draft.attributeId === null) return;
    try {
      await api(`/api/attributes/${encodeURIComponent(draft.attributeId)}`, { method: 'DELETE', token });
      onDeleted();
    } catch (error) {
      setProblem(errorText(error));
    }
  };

  const setExamples = (examples: AttributeExample[]) => update({ examples });

  return (
    <section className="attribute-editor" aria-labelledby="attribute-editor-title">
      <h2 id="attribute-editor-title" tabIndex={-1}>
        {draft.attributeId === null ? t('editor.newTitle') : t('editor.editTitle')}
      </h2>
      {draft.suggestionId && <p className="notice">{t('editor.fromSuggestion')}</p>}
      <div className="field">
        <label htmlFor={ids.name}>{t('editor.name')}</label>
        <input
          id={ids.name}
          dir="auto"
          value={draft.name}
          maxLength={200}
          onChange={(e) => update({ name: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.definition}>{t('editor.definition')}</label>
        <textarea
          id={ids.definition}
          dir="auto"
          rows={3}
          maxLength={5000}
          value={draft.definition}
          onChange={(e) => update({ definition: e.target.value })}
        />
      </div>
      <fieldset className="editor-codes">
        <legend>{t('editor.codes', { count: draft.codes.length })}</legend>
        <p className="hint">{t('editor.codesHint')}</p>
        <ul className="draft-codes">
          {draft.codes.map((code, index) => (
            <li key={code.text} className={code.sign === 1 ? 'for' : 'against'}>
              <span className="draft-code-text" dir="auto">
                {code.text}
              </span>
              <select
                aria-label={t('editor.signOf', { code: code.text })}
                value={code.sign}
                onChange={(e) =>
                  update({
                    codes: draft.codes.map((c, i) =>
                      i === index ? { ...c, sign: e.target.value === '-1' ? -1 : 1 } : c,
                    ),
                  })
                }
              >
                <option value="1">{t('sign.for')}</option>
                <option value="-1">{t('sign.against')}</option>
              </select>
              <button
                type="button"
                className="secondary"
                aria-label={t('editor.removeCode', { code: code.text })}
                onClick={() => update({ codes: draft.codes.filter((_, i) => i !== index) })}
              >
                {t('editor.remove')}
              </button>
            </li>
          ))}
        </ul>
        {free.length > 0 && (
          <div className="add-code">
            <label htmlFor={ids.add}>{t('editor.addCode')}</label>
            <select id={ids.add} dir="auto" value={adding} onChange={(e) => setAdding(e.target.value)}>
              <option value="">{t('editor.pickCode')}</option>
              {free.map((c) => (
                <option key={c.text} value={c.text}>
                  {c.text}
                </option>
              ))}
            </select>
            <ActionButton
              className="secondary"
              disabledReason={adding === '' ? t('editor.pickFirst') : null}
              onClick={() => {
                update({ codes: [...draft.codes, { text: adding, sign: 1 }] });
                setAdding('');
              }}
            >
              {t('editor.add')}
            </ActionButton>
          </div>
        )}
      </fieldset>
      <ExamplesField examples={draft.examples} turns={turns} onChange={setExamples} />
      {conflict && (
        <div className="error" role="alert" data-testid="attribute-conflict">
          <p>
            {conflict.serverVersion === null
              ? t('conflict.gone')
              : t('conflict.changed', { version: conflict.serverVersion, mine: draft.version ?? 0 })}
          </p>
          {conflict.current && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                const current = conflict.current as Attribute;
                setConflict(null);
                onDraft(draftOf(current, textOf));
              }}
            >
              {t('conflict.reload')}
            </button>
          )}
        </div>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <ActionButton
          onClick={save}
          pendingLabel={t('editor.saving')}
          disabledReason={
            draft.name.trim() === '' ? t('editor.nameFirst') : unchanged ? t('editor.nothingToSave') : null
          }
        >
          {t('editor.save')}
        </ActionButton>
        {saved && (
          <ActionButton className="secondary" onClick={share} pendingLabel={t('editor.saving')}>
            {saved.shared ? t('share.withhold') : t('share.share')}
          </ActionButton>
        )}
        {saved && !confirming && (
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            {t('delete.delete')}
          </button>
        )}
      </div>
      <p className="status" role="status" aria-live="polite">
        {status ??
          (saved
            ? t('editor.editing', { version: saved.version })
            : draft.name || draft.codes.length > 0
              ? t('editor.keptHere')
              : '')}
        {saved?.shared && ` ${t('share.isShared')}`}
      </p>
      {confirming && saved && (
        <div className="notice delete-confirm" role="alertdialog" aria-labelledby="delete-question">
          <p id="delete-question">{t('delete.question', { name: saved.name })}</p>
          <div className="actions">
            <ActionButton onClick={remove} pendingLabel={t('editor.saving')}>
              {t('delete.confirm')}
            </ActionButton>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              {t('delete.cancel')}
            </button>
          </div>
        </div>
      )}
      {saved && <VersionHistory attribute={saved} token={token} textOf={textOf} />}
    </section>
  );
}
