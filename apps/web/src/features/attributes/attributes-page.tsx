import type {
  Attribute,
  AttributeList,
  AttributeSuggestionList,
  InteractionList,
  LabelList,
  Me,
} from '@calma/protocol';
import { useCallback, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { SignInFirst } from '../home/remembered-sign-ins';
import { AttributeEditor } from './attribute-editor';
import { codedTurns, draftOf, draftOfSuggestion, ownCodes, ownLabels, sameAsSaved } from './codes';
import { type AttributeDraft, emptyDraft, readDismissed, readDraft, writeDismissed, writeDraft } from './draft';
import { SuggestionsPanel } from './suggestions-panel';
import './attributes.css';

interface Snapshot {
  me: Me;
  labels: LabelList['labels'];
  attributes: Attribute[];
}

/** The focused-coding page's path for a group. */
export const attributesPath = (groupId: string) => `/groups/${encodeURIComponent(groupId)}/attributes`;

/** The journey's way here (the Reflect stage). */
export function AttributesLink({ groupId }: { groupId: string }) {
  const { t } = useTranslation('attributes');
  return (
    <p className="attributes-journey-link">
      <Link href={attributesPath(groupId)}>{t('journeyLink')}</Link>
    </p>
  );
}

/**
 * Focused coding: the participant's codes, their attributes (signed codes, examples, versions),
 * groupings suggested by meaning (opened in the editor, never applied by themselves), and an
 * editor whose draft survives a reload.
 */
export function AttributesPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('attributes');
  const token = useToken();
  const [refresh, setRefresh] = useState(0);
  const base = `/api/groups/${encodeURIComponent(groupId)}`;
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);
  const labels = useApiQuery<LabelList>(token ? `${base}/labels?r=${refresh}` : null, token);
  const attributes = useApiQuery<AttributeList>(token ? `${base}/attributes?r=${refresh}` : null, token);
  const interactions = useApiQuery<InteractionList>(token ? `${base}/interactions` : null, token);
  const suggestions = useApiQuery<AttributeSuggestionList>(
    token ? `${base}/attributes/suggestions?r=${refresh}` : null,
    token,
  );

  // A refresh (after a save) must not unmount the page: the editor and its draft stay while the
  // lists reload, showing the last ones loaded meanwhile.
  const last = useRef<Snapshot | null>(null);
  if (me.status === 'success' && labels.status === 'success' && attributes.status === 'success')
    last.current = { me: me.data, labels: labels.data.labels, attributes: attributes.data.attributes };
  const data = last.current;

  if (!token) return <SignInFirst refused={null} />;
  const failed = [me, labels, attributes].find((q) => q.status === 'error');
  if (failed?.status === 'error')
    return (
      <section className="card" aria-labelledby="attributes-title">
        <h1 id="attributes-title">{t('title')}</h1>
        <p className="error" role="alert">
          {errorText(failed.error)}
        </p>
      </section>
    );
  if (data?.me.role === 'analyst')
    return (
      <section className="card" aria-labelledby="attributes-title">
        <h1 id="attributes-title">{t('title')}</h1>
        <p className="notice">{t('notForAnalysts')}</p>
      </section>
    );
  if (data === null)
    return (
      <p className="status" aria-live="polite">
        {t('loading')}
      </p>
    );
  return (
    <Loaded
      groupId={groupId}
      token={token}
      me={data.me}
      labels={data.labels}
      attributes={data.attributes}
      interactions={interactions.status === 'success' ? interactions.data.interactions : []}
      suggestions={suggestions}
      onChanged={() => setRefresh((r) => r + 1)}
    />
  );
}

function Loaded({
  groupId,
  token,
  me,
  labels,
  attributes,
  interactions,
  suggestions,
  onChanged,
}: {
  groupId: string;
  token: string;
  me: Me;
  labels: LabelList['labels'];
  attributes: Attribute[];
  interactions: InteractionList['interactions'];
  suggestions: ReturnType<typeof useApiQuery<AttributeSuggestionList>>;
  onChanged: () => void;
}) {
  const { t } = useTranslation('attributes');
  const owner = me.role === 'participant' ? me.participantId : null;
  const scope = `${groupId}.${owner ?? me.role}`;
  const mine = useMemo(() => ownLabels(labels, owner), [labels, owner]);
  const codes = useMemo(() => ownCodes(mine), [mine]);
  const turns = useMemo(() => codedTurns(mine, interactions), [mine, interactions]);
  const textById = useMemo(() => new Map(labels.map((l) => [l.id, l.text.trim()])), [labels]);
  const textOf = useCallback((id: string) => textById.get(id) ?? null, [textById]);
  const own = attributes.filter((a) => a.participantId === owner);
  const [draft, setDraftState] = useState<AttributeDraft>(() => readDraft(scope) ?? emptyDraft());
  // A new draft typed into since it was opened (one restored after a reload counts as typed).
  const [touched, setTouched] = useState(() => readDraft(scope) !== null);
  // What the person asked to open while the editor held unsaved changes: opened once they agree.
  const [waiting, setWaiting] = useState<AttributeDraft | null>(null);
  const [dismissed, setDismissed] = useState<string[]>(() => readDismissed(scope));
  // Every change is kept on the device as it is made: a reload brings the open draft back.
  const setDraft = (next: AttributeDraft, typed = false) => {
    writeDraft(scope, next);
    setDraftState(next);
    setTouched(typed);
  };
  const saved = draft.attributeId ? (own.find((a) => a.id === draft.attributeId) ?? null) : null;
  // An edit differs from what the server has; a new draft counts once something was typed into it.
  const unsaved = saved
    ? !sameAsSaved(draft, draftOf(saved, textOf))
    : touched && (draft.name.trim() !== '' || draft.definition.trim() !== '' || draft.codes.length > 0);

  const open = (next: AttributeDraft, force = false) => {
    if (unsaved && !force) {
      setWaiting(next);
      return;
    }
    setWaiting(null);
    setDraft(next);
    document.getElementById('attribute-editor-title')?.focus();
  };
  const dismiss = (id: string) => {
    const next = [...new Set([...dismissed, id])];
    setDismissed(next);
    writeDismissed(scope, next);
  };

  return (
    <section className="card attributes-page" aria-labelledby="attributes-title">
      <nav className="attributes-nav" aria-label={t('nav.label')}>
        <Link href={`/groups/${encodeURIComponent(groupId)}/journey`}>{t('nav.journey')}</Link>
        <Link href={`/groups/${encodeURIComponent(groupId)}/coding`}>{t('nav.coding')}</Link>
      </nav>
      <h1 id="attributes-title">{t('title')}</h1>
      <p>{t('intro')}</p>
      <div className="attributes-layout">
        <div className="attributes-side">
          <section aria-labelledby="own-codes-title">
            <h2 id="own-codes-title">{t('codes.title', { count: codes.length })}</h2>
            {codes.length === 0 ? (
              <p className="hint">{t('codes.none')}</p>
            ) : (
              <ul className="code-chips" data-testid="own-codes">
                {codes.map((c) => (
                  <li key={c.text} className="code-chip">
                    <span dir="auto">{c.text}</span>{' '}
                    <span className="code-count">{t('codes.used', { count: c.labelIds.length })}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <SuggestionsPanel
            state={suggestions}
            dismissed={dismissed}
            onOpen={(s) => open(draftOfSuggestion(s))}
            onDismiss={dismiss}
            onRestore={() => {
              setDismissed([]);
              writeDismissed(scope, []);
            }}
          />
          <section aria-labelledby="own-attributes-title">
            <h2 id="own-attributes-title">{t('list.title', { count: own.length })}</h2>
            {own.length === 0 && <p className="hint">{t('list.none')}</p>}
            <ul className="attribute-list">
              {own.map((a) => (
                <li key={a.id} className={a.id === draft.attributeId ? 'open' : undefined}>
                  <button
                    type="button"
                    className="secondary attribute-open"
                    aria-current={a.id === draft.attributeId || undefined}
                    onClick={() => open(draftOf(a, textOf))}
                  >
                    <span dir="auto">{a.name}</span>
                  </button>
                  <span className="hint">
                    {t('list.summary', {
                      count: new Set(a.codes.map((c) => textOf(c.labelId))).size,
                      version: a.version,
                    })}
                    {a.shared && ` · ${t('list.shared')}`}
                  </span>
                </li>
              ))}
            </ul>
            <button type="button" className="secondary" onClick={() => open(emptyDraft())}>
              {t('list.new')}
            </button>
          </section>
        </div>
        <div className="attributes-main">
          {waiting && (
            <div
              className="notice unsaved-warning"
              role="alert"
              ref={(node) => node?.scrollIntoView({ block: 'center' })}
            >
              <p>{t('unsaved.question', { name: draft.name.trim() || t('editor.newTitle') })}</p>
              <div className="actions">
                <button type="button" onClick={() => open(waiting, true)}>
                  {t('unsaved.discard')}
                </button>
                <button type="button" className="secondary" onClick={() => setWaiting(null)}>
                  {t('unsaved.keep')}
                </button>
              </div>
            </div>
          )}
          <AttributeEditor
            groupId={groupId}
            token={token}
            draft={draft}
            saved={saved}
            codes={codes}
            turns={turns}
            textOf={textOf}
            onDraft={(next) => setDraft(next, true)}
            onSaved={(next) => {
              setDraft(next);
              if (draft.suggestionId) dismiss(draft.suggestionId);
              onChanged();
            }}
            onDeleted={() => {
              setDraft(emptyDraft());
              onChanged();
            }}
            reloadAttribute={async () => {
              const list = await api<AttributeList>(`/api/groups/${encodeURIComponent(groupId)}/attributes`, { token });
              onChanged();
              return list.attributes.find((a) => a.id === draft.attributeId) ?? null;
            }}
          />
        </div>
      </div>
    </section>
  );
}
