import { useTranslation } from 'react-i18next';

/**
 * Where the transcripts part's sharing control goes ("share (masked preview) / withhold", in
 * `features/sharing/`). LEAD: replace the body with that component once both branches are merged.
 */
export function SharingSlot({ conversationId }: { conversationId: string; token: string | null }) {
  const { t } = useTranslation('chat');
  return (
    <section className="sharing-slot" aria-labelledby="sharing-slot-title" data-slot="sharing" data-id={conversationId}>
      <h2 id="sharing-slot-title">{t('sharing.title')}</h2>
      <p className="hint">{t('sharing.private')}</p>
    </section>
  );
}
