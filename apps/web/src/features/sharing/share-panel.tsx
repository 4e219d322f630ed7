import type { SharedConversation } from '@calma/protocol';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { useApiQuery } from '../../lib/use-api-query';
import './sharing.css';

/**
 * What a participant decides before their conversation goes beyond them: the masked text others
 * will see (emails, phone numbers, links with ids and their own names replaced), whether it is
 * shared now, and Share / Withhold. Placed by the chat page under a conversation.
 */
export function SharePanel({ conversationId, token }: { conversationId: string; token: string | null }) {
  const { t } = useTranslation('sharing');
  const path = `/api/conversations/${encodeURIComponent(conversationId)}`;
  const preview = useApiQuery<SharedConversation>(token ? `${path}/shared-preview` : null, token);
  const [latest, setLatest] = useState<SharedConversation | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    // A new preview (another conversation, a new turn) replaces what the last click returned.
    if (preview.status === 'success') setLatest(null);
  }, [preview]);
  const view = latest ?? (preview.status === 'success' ? preview.data : null);

  const setShared = async (shared: boolean) => {
    setFailure(null);
    try {
      setLatest(await api<SharedConversation>(`${path}/share`, { method: 'POST', token, body: { shared } }));
    } catch (error) {
      setFailure(errorText(error));
    }
  };

  return (
    <section className="share-panel" aria-labelledby={`share-${conversationId}`}>
      <h2 id={`share-${conversationId}`}>{t('panel.title')}</h2>
      {preview.status === 'error' && !view && (
        <p className="error" role="alert">
          {errorText(preview.error)}
        </p>
      )}
      {!view && preview.status !== 'error' && <p className="status">{t('panel.loading')}</p>}
      {view && (
        <>
          <p className="share-state" role="status">
            <strong>{view.shared ? t('panel.sharedNow') : t('panel.privateNow')}</strong>{' '}
            {view.shared ? t('panel.sharedHint') : t('panel.privateHint')}
          </p>
          <h3>{t('panel.previewTitle')}</h3>
          <p className="hint">
            {view.masked.length === 0 ? t('panel.nothingMasked') : t('panel.masked', { count: view.masked.length })}
          </p>
          <ol className="share-preview">
            {view.messages.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: messages are a fixed, ordered list
              <li key={i} className={`share-message share-${m.role}`}>
                <span className="share-role">{m.role === 'user' ? t('panel.you') : t('panel.model')}</span>
                <p dir="auto">{m.content}</p>
              </li>
            ))}
          </ol>
          <div className="actions">
            <ActionButton
              disabledReason={view.shared ? t('panel.alreadyShared') : null}
              pendingLabel={t('panel.working')}
              onClick={() => setShared(true)}
            >
              {t('panel.share')}
            </ActionButton>
            <ActionButton
              className="secondary"
              disabledReason={view.shared ? null : t('panel.alreadyPrivate')}
              pendingLabel={t('panel.working')}
              onClick={() => setShared(false)}
            >
              {t('panel.withhold')}
            </ActionButton>
          </div>
          {failure && (
            <p className="error" role="alert">
              {failure}
            </p>
          )}
        </>
      )}
    </section>
  );
}
