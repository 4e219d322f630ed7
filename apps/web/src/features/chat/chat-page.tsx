import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { ApiError } from '../../lib/api';
import type { Me } from '../../lib/contract';
import { errorText } from '../../lib/errors';
import { Link, navigate } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { type ConversationSummary, createConversation, type GroupModels } from './chat-api';
import './chat.css';

/**
 * `/groups/:groupId/chat`: the participant's conversations, and a new one (with the model of
 * their choice when the study lets them choose).
 */
export function ChatPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('chat');
  const token = useToken();
  const base = `/api/groups/${encodeURIComponent(groupId)}`;
  const list = useApiQuery<{ conversations: ConversationSummary[] }>(token ? `${base}/conversations` : null, token);
  const models = useApiQuery<GroupModels>(token ? `${base}/models` : null, token);
  const choice = models.status === 'success' && models.data.assignment === 'choice' ? models.data.models : null;
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);
  // Staff see the group's conversations here; only participants start one.
  const participant = me.status !== 'success' || me.data.role === 'participant';
  const [modelId, setModelId] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const chosen = modelId || choice?.[0]?.id || '';

  const start = async () => {
    setError(null);
    try {
      const created = await createConversation(groupId, token, choice ? chosen : undefined);
      navigate(`/conversations/${encodeURIComponent(created.id)}`);
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
    }
  };

  const labelOf = (id: string | null) =>
    (models.status === 'success' ? models.data.models.find((m) => m.id === id)?.label : undefined) ?? id ?? '';
  const conversations = list.status === 'success' ? list.data.conversations : [];

  return (
    <section className="card chat-page" aria-labelledby="chat-title">
      <nav aria-label={t('navLabel')}>
        <Link href="/">{t('home')}</Link>
      </nav>
      <h1 id="chat-title">{t('list.title')}</h1>
      <p>{t('list.intro')}</p>
      {!token && <p className="notice">{t('signedOut')}</p>}
      <h2>{participant ? t('list.yours') : t('list.group')}</h2>
      {list.status === 'loading' && <p className="status">{t('loading')}</p>}
      {list.status === 'error' && (
        <p className="error" role="alert">
          {errorText(list.error)}
        </p>
      )}
      {list.status === 'success' && conversations.length === 0 && <p>{t('list.none')}</p>}
      {conversations.length > 0 && (
        <ul className="conversation-list" data-testid="conversation-list">
          {conversations.map((c, i) => {
            const preview = c.title;
            return (
              <li key={c.id}>
                <Link href={`/conversations/${encodeURIComponent(c.id)}`}>
                  {t('list.item', { number: conversations.length - i, model: labelOf(c.modelId) })}
                </Link>
                {preview && (
                  <span className="hint" dir="auto">
                    {' — '}
                    {preview}
                  </span>
                )}{' '}
                <span className="hint">
                  {t('list.turns', { count: c.turns })}
                  {c.shared ? ` · ${t('list.shared')}` : ''}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {participant && <h2>{t('list.new')}</h2>}
      {participant && (
        <form onSubmit={(e) => e.preventDefault()}>
          {choice && choice.length > 0 && (
            <div className="field">
              <label htmlFor="model-choice">{t('list.chooseModel')}</label>
              <select id="model-choice" value={chosen} onChange={(e) => setModelId(e.target.value)}>
                {choice.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.provider === 'replay' ? t('list.replayOption', { label: m.label }) : m.label}
                  </option>
                ))}
              </select>
            </div>
          )}
          <ActionButton type="submit" onClick={start} data-testid="new-conversation">
            {t('list.start')}
          </ActionButton>
        </form>
      )}
      {error && (
        <div className="error" role="alert" data-testid="start-refused">
          <p>{error.status === 409 ? t('list.notYet') : errorText(error)}</p>
          {error.status === 409 && (
            <p>
              <Link href={`/groups/${encodeURIComponent(groupId)}/journey`}>{t('list.toJourney')}</Link>
            </p>
          )}
        </div>
      )}
    </section>
  );
}
