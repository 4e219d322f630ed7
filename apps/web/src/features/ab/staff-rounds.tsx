import type { AbResults, AbRound, AbRoundList } from '@calma/protocol';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import { downloadWithToken } from '../../lib/download';
import { errorText } from '../../lib/errors';
import { OpenRoundForm } from './open-round-form';
import { AbResultsChart } from './results-chart';
import { useReloadable } from './use-ab-data';

/**
 * Staff's view of the group's rounds: the moderator opens one (when none is open) and closes it;
 * everyone on staff reads a round's results and downloads its raw data.
 */
export function StaffRounds({ groupId, token, canModerate }: { groupId: string; token: string; canModerate: boolean }) {
  const { t, i18n } = useTranslation('ab');
  const base = `/api/groups/${encodeURIComponent(groupId)}/ab-rounds`;
  const [rounds, reload] = useReloadable<AbRoundList>(base, token);
  const [chosen, setChosen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (rounds.status === 'error') {
    return (
      <p className="error" role="alert">
        {errorText(rounds.error)}
      </p>
    );
  }
  if (rounds.status !== 'success') return <p className="status">{t('loading')}</p>;
  const list = rounds.data.rounds;
  const open = list.find((r) => r.status === 'open');
  const shown = list.find((r) => r.id === chosen) ?? open ?? list[0];
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });

  const close = async (round: AbRound) => {
    setError(null);
    try {
      await api(`${base}/${round.id}/close`, { method: 'POST', token });
      reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <>
      <p className="hint">{t('staff.intro')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {canModerate && !open && <OpenRoundForm base={base} token={token} onOpened={reload} />}
      {list.length === 0 && !canModerate && <p className="hint">{t('staff.none')}</p>}
      {list.length > 0 && (
        <section aria-labelledby="ab-rounds-title">
          <h2 id="ab-rounds-title">{t('staff.rounds')}</h2>
          <ul className="ab-round-list">
            {list.map((round) => (
              <li key={round.id} className={round.id === shown?.id ? 'ab-round ab-round-shown' : 'ab-round'}>
                <p>
                  <strong>{round.status === 'open' ? t('staff.statusOpen') : t('staff.statusClosed')}</strong>{' '}
                  <span dir="auto">
                    {t('staff.models', { a: round.models?.a.label ?? '', b: round.models?.b.label ?? '' })}
                  </span>
                </p>
                <p className="hint">
                  {t('staff.opened', { date: date.format(new Date(round.createdAt)) })}{' '}
                  {t('staff.counts', {
                    items: round.counts?.items ?? 0,
                    voted: round.counts?.voted ?? 0,
                    participants: round.counts?.participants ?? 0,
                  })}
                </p>
                <div className="actions">
                  {round.id !== shown?.id && (
                    <button type="button" className="secondary" onClick={() => setChosen(round.id)}>
                      {t('staff.showResults')}
                    </button>
                  )}
                  {canModerate && round.status === 'open' && (
                    <ActionButton onClick={() => close(round)} pendingLabel={t('staff.closing')}>
                      {t('staff.close')}
                    </ActionButton>
                  )}
                  <button type="button" className="secondary" onClick={reload}>
                    {t('staff.refresh')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      {shown && <RoundResults key={`${shown.id}-${shown.counts?.voted}`} base={base} round={shown} token={token} />}
    </>
  );
}

function RoundResults({ base, round, token }: { base: string; round: AbRound; token: string }) {
  const { t } = useTranslation('ab');
  const [results] = useReloadable<AbResults>(`${base}/${round.id}/results`, token);
  const [error, setError] = useState<string | null>(null);
  const download = async (format: 'json' | 'csv') => {
    setError(
      await downloadWithToken(`${base}/${round.id}/export?format=${format}`, `calma-ab-${round.id}.${format}`, token),
    );
  };
  return (
    <section aria-labelledby="ab-results-title" className="ab-results">
      <h2 id="ab-results-title">{t('results.title')}</h2>
      {results.status === 'error' && (
        <p className="error" role="alert">
          {errorText(results.error)}
        </p>
      )}
      {results.status === 'loading' && <p className="status">{t('loading')}</p>}
      {results.status === 'success' && (
        <>
          <p className="hint">
            {t('results.base', { voted: results.data.voted, participants: results.data.participants })}
          </p>
          <AbResultsChart results={results.data} />
          <p className="hint">{t('results.method')}</p>
        </>
      )}
      <div className="actions">
        <ActionButton className="secondary" onClick={() => download('json')}>
          {t('results.downloadJson')}
        </ActionButton>
        <ActionButton className="secondary" onClick={() => download('csv')}>
          {t('results.downloadCsv')}
        </ActionButton>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
