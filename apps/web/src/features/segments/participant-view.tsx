import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { FinalAttributesResponse, InteractionList, SessionState, Submissions } from '../../lib/contract';
import { useLive } from '../../lib/use-session-data';
import { FinalAttributesLive, OwnSegment1Summary } from './finals-live';
import { type OwnSegment1, Segment1Form } from './segment1-form';
import { type OwnSegment5, Segment5Form } from './segment5-form';

/** A participant's own submissions, read back from the server (so a reload shows them). */
export interface OwnSubmissions {
  /** Whether they have been read at least once. */
  loaded: boolean;
  segment1: OwnSegment1 | null;
  segment5: OwnSegment5 | null;
}

/**
 * `GET /api/sessions/:id/submissions` as a participant: their own work (after a reveal the list
 * also holds others', which is filtered out here). Refetched whenever `version` changes.
 */
export function useOwnSubmissions(
  sessionId: string | null,
  token: string,
  participantId: string | null | undefined,
  version: unknown,
): OwnSubmissions {
  const data = useLive<Submissions>(sessionId ? `/api/sessions/${sessionId}/submissions` : null, token, version);
  return useMemo(() => {
    const one = data?.segment1.find((s) => s.participantId === participantId);
    const five = data?.segment5.find((s) => s.participantId === participantId);
    return {
      loaded: data !== null,
      segment1: one
        ? {
            attributes: one.attributes.map((a) => ({ name: a.name, definition: a.definition })),
            submittedAt: one.submittedAt,
          }
        : null,
      segment5: five ? { likert: five.likert, ranking: five.ranking, submittedAt: five.submittedAt } : null,
    };
  }, [data, participantId]);
}

/** Whether this participant has submitted the current segment's private work (null: nothing to submit). */
export function submittedNow(own: OwnSubmissions, segment: number | undefined): boolean | null {
  if (!own.loaded) return null;
  if (segment === 1) return own.segment1 !== null;
  if (segment === 5) return own.segment5 !== null;
  return null;
}

/**
 * What a participant does in the current segment, above the board: the segment-1 and segment-5
 * forms (starting from what they submitted), the final attributes drafted live in segment 4, and
 * a reminder of their segment-1 attributes in segments 2–4.
 */
export function ParticipantSegment({
  sessionId,
  token,
  state,
  own,
  finals,
  interactions,
  onSaved,
}: {
  sessionId: string;
  token: string;
  state: SessionState;
  own: OwnSubmissions;
  finals: FinalAttributesResponse | null;
  interactions: InteractionList | null;
  onSaved: () => void;
}) {
  const { t } = useTranslation('common');
  const examples = useMemo(
    () =>
      Object.fromEntries(
        (interactions?.interactions ?? []).map((i, n) => [
          i.id,
          { n: n + 1, excerpt: (i.messages.find((m) => m.role === 'assistant')?.content ?? '').slice(0, 160) },
        ]),
      ),
    [interactions],
  );
  const open = state.status === 'running';
  const { segment } = state;
  if ((segment === 1 || segment === 5) && (!own.loaded || (segment === 5 && finals === null)))
    return <p className="status">{t('loading')}</p>;
  return (
    <>
      {segment === 1 && (
        <Segment1Form sessionId={sessionId} token={token} open={open} submitted={own.segment1} onSaved={onSaved} />
      )}
      {segment === 5 && (
        <Segment5Form
          sessionId={sessionId}
          token={token}
          open={open}
          finals={finals?.attributes ?? []}
          submitted={own.segment5}
          onSaved={onSaved}
        />
      )}
      {segment === 4 && <FinalAttributesLive finals={finals} interactions={examples} />}
      {segment >= 2 && segment <= 4 && own.loaded && (
        <OwnSegment1Summary attributes={own.segment1?.attributes ?? null} />
      )}
    </>
  );
}
