import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { Link, navigate } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import type { StudyDetail } from './types';
import './study.css';

/** `/studies`: the administrator's studies, and a form to create one. */
export function StudyListPage() {
  const { t } = useTranslation('study');
  const token = useToken();
  const studies = useApiQuery<{ studies: StudyDetail[] }>(token ? '/api/studies' : null, token);

  return (
    <section className="card study-page" aria-labelledby="studies-title">
      <h1 id="studies-title">{t('list.title')}</h1>
      {!token && <p className="notice">{t('adminOnly')}</p>}
      {studies.status === 'loading' && <p className="status">{t('loading')}</p>}
      {studies.status === 'error' && (
        <p className="error" role="alert">
          {studies.error.status === 403 ? t('adminOnly') : errorText(studies.error)}
        </p>
      )}
      {studies.status === 'success' &&
        (studies.data.studies.length === 0 ? (
          <p>{t('list.none')}</p>
        ) : (
          <ul className="study-list" data-testid="study-list">
            {studies.data.studies.map((s) => (
              <li key={s.id}>
                <Link href={`/studies/${encodeURIComponent(s.id)}`}>
                  <span dir="auto">{s.title}</span>
                </Link>{' '}
                <span className="hint" dir="auto">
                  {s.context.name}
                </span>
              </li>
            ))}
          </ul>
        ))}
      {studies.status === 'success' && <CreateStudy token={token} />}
    </section>
  );
}

function CreateStudy({ token }: { token: string | null }) {
  const { t } = useTranslation('study');
  const [title, setTitle] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const blank = title.trim() === '' || name.trim() === '';

  const create = async () => {
    setError(null);
    try {
      const study = await api<StudyDetail>('/api/studies', {
        method: 'POST',
        token,
        body: { title: title.trim(), context: { name: name.trim(), description: '', systemPrompt: '' } },
      });
      navigate(`/studies/${encodeURIComponent(study.id)}`);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section aria-labelledby="create-study-title">
      <h2 id="create-study-title">{t('list.create')}</h2>
      <form
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
        }}
      >
        <div className="field">
          <label htmlFor="new-study-title">{t('list.studyTitle')}</label>
          <input id="new-study-title" dir="auto" value={title} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-study-context">{t('context.name')}</label>
          <input id="new-study-context" dir="auto" value={name} onChange={(e) => setName(e.target.value)} />
          <p className="hint">{t('list.contextHint')}</p>
        </div>
        <ActionButton type="submit" disabledReason={blank ? t('list.blank') : null} onClick={create}>
          {t('list.createButton')}
        </ActionButton>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
