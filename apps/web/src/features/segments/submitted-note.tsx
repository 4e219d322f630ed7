import { useTranslation } from 'react-i18next';

/** "14:05" in the interface's language. */
export function useClockTime(): (iso: string) => string {
  const { i18n } = useTranslation();
  return (iso) => new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** When this person submitted, and (while the segment runs) that they may still change it. */
export function SubmittedNote({ at, open }: { at: string | null | undefined; open: boolean }) {
  const { t } = useTranslation('segments');
  const time = useClockTime();
  if (!at) return null;
  return (
    <p className="submitted-note" data-testid="submitted-at">
      ✓ {t(open ? 'submittedAt' : 'submittedClosed', { time: time(at) })}
    </p>
  );
}
