import { useTranslation } from 'react-i18next';
import type { ModelProvider } from './chat-api';

/**
 * Which model answers this conversation; for the replay provider, plainly that the answers are
 * recorded replies and not a model thinking now.
 */
export function ModelBadge({ label, provider, model }: { label: string; provider?: ModelProvider; model?: string }) {
  const { t } = useTranslation('chat');
  return (
    <>
      <p className="model-badge" data-testid="model-badge">
        <span>{t('badge.model')}</span>
        <strong dir="auto">{label}</strong>
        {model && model !== label && (
          <span className="hint" dir="auto">
            ({model})
          </span>
        )}
        {provider && <span className="hint">{t(`badge.provider.${provider}`)}</span>}
      </p>
      {provider === 'replay' && (
        <p className="replay-note" data-testid="replay-note">
          {t('badge.replay')}
        </p>
      )}
    </>
  );
}
