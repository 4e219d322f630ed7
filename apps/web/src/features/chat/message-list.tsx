import { useTranslation } from 'react-i18next';
import type { ChatMessage } from './chat-api';

/**
 * The conversation as stored, then the answer streaming now. Token by token the answer grows in a
 * plain element (busy while it streams); screen readers hear it once, complete, through the
 * conversation page's live region, rather than every token.
 */
export function MessageList({
  messages,
  streaming,
  modelLabel,
}: {
  messages: ChatMessage[];
  streaming: string | null;
  modelLabel: string;
}) {
  const { t } = useTranslation('chat');
  return (
    <ol className="message-list" aria-label={t('conversation.messages')} data-testid="message-list">
      {messages.map((m) => (
        <li key={m.id} className={`message message-${m.role}`} data-testid={`message-${m.role}`} data-status={m.status}>
          <p className="message-who">{m.role === 'user' ? t('conversation.you') : modelLabel}</p>
          <p className="message-text" dir="auto">
            {m.content}
          </p>
          {m.role === 'assistant' && m.status !== 'complete' && (
            <p className="message-status" data-testid="message-incomplete">
              {m.status === 'failed' && m.content === '' ? t('conversation.failed') : t('conversation.incomplete')}
            </p>
          )}
        </li>
      ))}
      {streaming !== null && (
        <li className="message message-assistant" data-testid="message-streaming" aria-busy="true">
          <p className="message-who">{modelLabel}</p>
          <p className="message-text" dir="auto" data-testid="streaming-text">
            {streaming}
          </p>
          <p className="message-status">{streaming === '' ? t('conversation.waiting') : t('conversation.streaming')}</p>
        </li>
      )}
    </ol>
  );
}
