import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { ApiError } from '../../lib/api';
import type { Me } from '../../lib/contract';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { codingPath } from '../coding/coding-page';
import {
  type ChatMessage,
  type Conversation,
  failureCode,
  getConversation,
  retryAnswer,
  type StreamHandlers,
  type StreamOutcome,
  sendMessage,
} from './chat-api';
import { Composer } from './composer';
import { readDraft, writeDraft } from './draft';
import { MessageList } from './message-list';
import { ModelBadge } from './model-badge';
import { SharingSlot } from './sharing-slot';
import './chat.css';

type Failure = { code: string; detail: string };

/**
 * `/conversations/:id`: the conversation, the answer streaming token by token, and the composer.
 * A reload shows what the server stored, incomplete answers marked; a failed answer says why and
 * offers Retry; what the participant typed stays in this tab until the server has stored it.
 */
export function ConversationPage({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation('chat');
  const token = useToken();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [draft, setDraftState] = useState(() => readDraft(conversationId));
  const [pendingUser, setPendingUser] = useState<ChatMessage | null>(null);
  const [streaming, setStreaming] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const abort = useRef<AbortController | null>(null);
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);

  const setDraft = (text: string) => {
    setDraftState(text);
    writeDraft(conversationId, text);
  };

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        setConversation(await getConversation(conversationId, token, signal));
        setLoadError(null);
      } catch (error) {
        if (signal?.aborted) return;
        setLoadError(error instanceof ApiError ? error : new ApiError(0, 'CLIENT_ERROR', String(error)));
      }
    },
    [conversationId, token],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => {
      controller.abort();
      abort.current?.abort();
    };
  }, [load]);

  const messages = conversation?.messages ?? [];
  const last = messages[messages.length - 1];
  const answerMissing = last !== undefined && (last.role === 'user' || last.status !== 'complete');
  // The turn being sent counts at once, so the numbers do not lag behind what the page shows.
  const userTurns = messages.filter((m) => m.role === 'user').length + (pendingUser ? 1 : 0);
  const turnsLeft = conversation ? Math.max(0, conversation.turnsLeft - (pendingUser ? 1 : 0)) : 0;
  const maxTurns = userTurns + turnsLeft;
  const modelLabel = conversation?.modelLabel ?? conversation?.modelId ?? '';
  const lastAnswer = [...messages].reverse().find((m) => m.role === 'assistant' && m.model);
  const provider = conversation?.provider ?? lastAnswer?.provider;

  /** Streams one answer; afterwards shows the conversation exactly as the server stored it. */
  const stream = async (run: (handlers: StreamHandlers, signal: AbortSignal) => Promise<StreamOutcome>) => {
    const controller = new AbortController();
    abort.current = controller;
    setFailure(null);
    setRefusal(null);
    setStreaming('');
    setAnnouncement(t('live.started'));
    let text = '';
    let outcome: StreamOutcome;
    try {
      outcome = await run(
        {
          onToken: (piece) => {
            text += piece;
            setStreaming(text);
          },
        },
        controller.signal,
      );
    } catch (error) {
      setStreaming(null);
      setPendingUser(null);
      if (controller.signal.aborted) return false;
      const message = errorText(error);
      setRefusal(message);
      setAnnouncement(message);
      return false;
    }
    await load();
    setStreaming(null);
    setPendingUser(null);
    if (outcome.type === 'done') {
      setAnnouncement(t('live.done', { text: outcome.message?.content ?? text }));
    } else {
      const code = failureCode(outcome.error, outcome.message?.error);
      // The stored turn's own words are the most specific (the endpoint's status, the variable's name).
      const detail = outcome.message?.error?.message ?? outcome.error.message;
      setFailure({ code, detail });
      setAnnouncement(t(`failure.${code}`));
    }
    return true;
  };

  const send = async () => {
    const content = draft.trim();
    if (content === '') return;
    // The draft stays in storage until the server took the turn (onAccepted); the box empties now.
    setDraftState('');
    setPendingUser({ id: 'pending', role: 'user', content, status: 'complete' });
    const sent = await stream((handlers, signal) =>
      sendMessage(
        conversationId,
        content,
        token,
        {
          ...handlers,
          // Only what was sent is forgotten: words typed meanwhile stay kept.
          onAccepted: () => {
            if (readDraft(conversationId).trim() === content) writeDraft(conversationId, '');
          },
        },
        signal,
      ),
    );
    // Refused before it was stored (rate limit, too long, a lost connection): the text comes back.
    if (!sent) setDraftState((current) => (current === '' ? content : current));
  };

  const retry = () => stream((handlers, signal) => retryAnswer(conversationId, token, handlers, signal));

  const blockedReason =
    streaming !== null
      ? t('composer.streaming')
      : conversation && turnsLeft === 0
        ? t('composer.turnsUsed', { count: maxTurns })
        : null;

  if (loadError)
    return (
      <section className="card chat-page" aria-labelledby="conversation-title">
        <h1 id="conversation-title">{t('conversation.title')}</h1>
        <p className="error" role="alert">
          {loadError.status === 401 ? t('signedOut') : errorText(loadError)}
        </p>
        <Link href="/">{t('home')}</Link>
      </section>
    );
  if (!conversation)
    return (
      <section className="card chat-page" aria-labelledby="conversation-title">
        <h1 id="conversation-title">{t('conversation.title')}</h1>
        <p className="status">{t('loading')}</p>
      </section>
    );

  const groupId = conversation.groupId;
  // Staff may read a conversation; only its author writes in it, retries it or shares it.
  const author = me.status !== 'success' || me.data.participantId === conversation.participantId;
  return (
    <section className="card chat-page" aria-labelledby="conversation-title">
      <nav aria-label={t('navLabel')}>
        {groupId ? (
          <>
            <Link href={`/groups/${encodeURIComponent(groupId)}/chat`}>{t('conversation.back')}</Link>
            {author && (
              <>
                {' · '}
                <Link href={codingPath(groupId)}>{t('coding:journey.link')}</Link>
              </>
            )}
          </>
        ) : (
          <Link href="/">{t('home')}</Link>
        )}
      </nav>
      <div className="chat-header">
        <h1 id="conversation-title">{t('conversation.title')}</h1>
        <ModelBadge label={modelLabel} provider={provider} model={lastAnswer?.model} />
      </div>
      <p data-testid="turns">
        {t('turns.used', { count: userTurns, max: maxTurns })} {t('turns.left', { count: turnsLeft })}
      </p>
      <MessageList
        messages={pendingUser ? [...messages, pendingUser] : messages}
        streaming={streaming}
        modelLabel={modelLabel}
      />
      <div className="visually-hidden" aria-live="polite" data-testid="chat-live">
        {announcement}
      </div>
      {failure && (
        <div className="chat-failure" role="alert" data-testid="chat-failure" data-code={failure.code}>
          <p>{t(`failure.${failure.code}`)}</p>
          <p className="hint" dir="auto">
            {t('failure.detail', { detail: failure.detail })}
          </p>
          <p>{t('failure.kept')}</p>
        </div>
      )}
      {refusal && (
        <div className="chat-failure" role="alert" data-testid="chat-refused">
          <p dir="auto">{refusal}</p>
          <p>{t('failure.notSent')}</p>
          {draft.trim() !== '' && streaming === null && (
            <ActionButton className="secondary" onClick={send} data-testid="send-again">
              {t('conversation.sendAgain')}
            </ActionButton>
          )}
        </div>
      )}
      {author && answerMissing && streaming === null && (
        <ActionButton className="secondary" onClick={retry} data-testid="retry">
          {t('conversation.retry')}
        </ActionButton>
      )}
      {author ? (
        <>
          <Composer
            value={draft}
            onChange={setDraft}
            onSend={send}
            blockedReason={blockedReason}
            maxChars={conversation.maxChars}
          />
          <SharingSlot conversationId={conversationId} token={token} messages={messages.length} />
        </>
      ) : (
        <p className="hint" data-testid="read-only">
          {t('conversation.readOnly')}
        </p>
      )}
    </section>
  );
}
