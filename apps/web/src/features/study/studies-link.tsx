import { useTranslation } from 'react-i18next';
import { Link } from '../../lib/router';

/** The administrator's way from the start page to the study set-up. */
export function StudiesLink() {
  const { t } = useTranslation('study');
  return (
    <p>
      <Link href="/studies">{t('homeLink')}</Link>
    </p>
  );
}
