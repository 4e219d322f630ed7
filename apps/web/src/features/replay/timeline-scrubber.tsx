import type { SegmentBand, TimelineEvent } from '@calma/core';
import { useTranslation } from 'react-i18next';

/** Band colours by segment (text stays dark on each: 7:1 or better with --text). */
const bandColours = ['#e2e8f0', '#fde2e4', '#dff3e4', '#fff1c1', '#dbe7f6', '#e9e0f5'];

/** A clock time to the second, in the page's language. */
export function clockTime(at: number, language: string): string {
  return new Date(at).toLocaleTimeString(language, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
}

/**
 * The slider's range over a session from `start` to `end` (ms): five hundred steps, whatever its
 * length (a step is a second for a session of about eight minutes, a few milliseconds for one
 * driven by a test), and a top that is a whole number of steps at or past the end. A range input
 * only takes values on its steps, so with the top at the end itself, End (or dragging to the
 * right) stopped up to a step short of it: before the session's last moment.
 */
export function scrubberRange(start: number, end: number): { span: number; step: number; max: number } {
  const span = Math.max(1, end - start);
  const step = Math.max(1, Math.round(span / 500));
  return { span, step, max: Math.ceil(span / step) * step };
}
/**
 * The session from its first event to its end: segments as coloured bands, a range input to
 * scrub (arrow keys move a five-hundredth of the session, Home/End go to its ends) and the events
 * as a list of buttons that jump to their moment. The chosen moment is the caller's.
 */
export function TimelineScrubber({
  events,
  bands,
  start,
  end,
  at,
  onChange,
}: {
  events: readonly TimelineEvent[];
  bands: readonly SegmentBand[];
  start: number;
  end: number;
  at: number;
  onChange: (at: number) => void;
}) {
  const { t, i18n } = useTranslation('replay');
  const { span, step, max } = scrubberRange(start, end);
  const describe = (event: TimelineEvent) => {
    switch (event.type) {
      case 'segment':
        return t('event.segment', {
          segment: event.segment,
          name: t(`session:names.${event.segment}`),
          status: t(`session:status.${event.status}`),
        });
      case 'submission':
        return t('event.submission', { segment: event.segment, count: event.count });
      default:
        return t(`event.${event.type}`, { segment: event.segment });
    }
  };
  return (
    <section className="replay-timeline card" aria-labelledby="replay-timeline-title">
      <h2 id="replay-timeline-title">{t('timeline.title')}</h2>
      <ol className="replay-bands" aria-label={t('timeline.bands')}>
        {bands.map((band) => (
          <li
            key={`${band.segment}-${band.from}`}
            style={{
              flexGrow: Math.max(band.to - band.from, span / 200),
              background: bandColours[band.segment] ?? bandColours[0],
            }}
          >
            <span aria-hidden="true">{band.segment}</span>
            <span className="visually-hidden">
              {t('timeline.band', {
                segment: band.segment,
                name: t(`session:names.${band.segment}`),
                from: clockTime(band.from, i18n.language),
                to: clockTime(band.to, i18n.language),
              })}
            </span>
          </li>
        ))}
      </ol>
      <label className="replay-range">
        <span>{t('timeline.scrub', { time: clockTime(at, i18n.language) })}</span>
        <input
          type="range"
          min={0}
          max={max}
          step={step}
          value={Math.min(span, Math.max(0, at - start))}
          aria-valuetext={clockTime(at, i18n.language)}
          onChange={(e) => onChange(Math.min(end, start + Number(e.currentTarget.value)))}
        />
      </label>
      <ol className="replay-events" aria-label={t('timeline.events')}>
        {events.map((event, i) => (
          <li key={`${event.at}-${event.type}-${event.segment}-${event.type === 'submission' ? event.count : ''}`}>
            <button
              type="button"
              className={event.at <= at ? 'replay-event past' : 'replay-event'}
              aria-current={event.at <= at && (events[i + 1]?.at ?? Number.POSITIVE_INFINITY) > at ? 'step' : undefined}
              onClick={() => onChange(event.at)}
            >
              <time dateTime={new Date(event.at).toISOString()}>{clockTime(event.at, i18n.language)}</time>{' '}
              {describe(event)}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
