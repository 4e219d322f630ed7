import type { JourneyProgress } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { AttributesLink } from '../attributes/attributes-page';
import { codingPath } from '../coding/coding-page';
import { SignInFirst } from '../home/remembered-sign-ins';
import { journeyPaths, useMyProgress } from './journey-data';
import './journey.css';

type StageName = JourneyProgress['stage'];
const order: StageName[] = ['familiarize', 'interact', 'reflect', 'discuss'];

/** Where the participant should go next: the first thing left in their stage, as a link. */
function nextStep(progress: JourneyProgress, groupId: string): { key: string; href: string | null } {
  const paths = journeyPaths(groupId);
  if (progress.waiting) return { key: 'next.waiting', href: null };
  switch (progress.stage) {
    case 'familiarize':
      if (progress.pages.read < progress.pages.total) return { key: 'next.orientation', href: paths.orientation };
      if (!progress.practice.done && progress.practice.items > 0) return { key: 'next.practice', href: paths.practice };
      return { key: 'next.check', href: paths.check };
    case 'interact':
      return { key: 'next.chat', href: paths.chat };
    case 'reflect':
      return { key: 'coding:journey.next', href: codingPath(groupId) };
    case 'discuss':
      return progress.sessionId
        ? { key: 'next.discuss', href: `/sessions/${encodeURIComponent(progress.sessionId)}` }
        : { key: 'next.waiting', href: null };
  }
}

/**
 * The participant's journey: Familiarize → Interact → Reflect → Discuss, where they are, what is
 * left in each stage, and a link onward.
 */
export function JourneyPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('journey');
  const token = useToken();
  const progress = useMyProgress();

  if (!token) return <SignInFirst refused={null} />;
  if (progress.status === 'error')
    return (
      <section className="card" aria-labelledby="journey-title">
        <h1 id="journey-title">{t('journey.title')}</h1>
        <p className="error" role="alert">
          {progress.error.status === 403 ? t('journey.staffOnly') : errorText(progress.error)}
        </p>
        {progress.error.status === 403 && <Link href={journeyPaths(groupId).progress}>{t('panel.open')}</Link>}
      </section>
    );
  if (progress.status !== 'success')
    return (
      <p className="status" aria-live="polite">
        {t('loading')}
      </p>
    );

  const p = progress.data;
  const next = nextStep(p, groupId);
  const current = order.indexOf(p.stage);
  return (
    <section className="card journey" aria-labelledby="journey-title">
      <h1 id="journey-title">{t('journey.title')}</h1>
      <p className="journey-now" data-testid="journey-stage">
        {t('journey.now', { stage: t(`stage.${p.stage}`) })}
      </p>
      {p.stage !== 'familiarize' && p.stages.find((s) => s.stage === 'interact')?.open && (
        <p className="notice" role="status" data-testid="interact-open">
          {t('journey.interactOpen')} <Link href={journeyPaths(groupId).chat}>{t('journey.openChat')}</Link>
        </p>
      )}
      <div className="journey-next">
        <p>{t(next.key)}</p>
        {next.href && (
          <Link className="journey-button" href={next.href}>
            {next.key === 'coding:journey.next' ? t('coding:journey.link') : t(`${next.key}Link`)}
          </Link>
        )}
      </div>
      <ol className="journey-stages">
        {p.stages.map((s, i) => {
          const status =
            !s.open && i >= current ? 'closed' : i < current ? 'done' : i === current ? 'current' : 'later';
          return (
            <li
              key={s.stage}
              className={`journey-stage ${status}`}
              aria-current={status === 'current' ? 'step' : undefined}
            >
              <h2>
                <span className="journey-stage-number" aria-hidden="true">
                  {i + 1}
                </span>
                {t(`stage.${s.stage}`)}
                <span className={`badge${status === 'closed' ? ' warn' : ''}`}>{t(`status.${status}`)}</span>
              </h2>
              <p className="hint">{t(`about.${s.stage}`)}</p>
              <StageSteps progress={p} stage={s.stage} groupId={groupId} reached={i <= current} />
              {s.stage === 'reflect' && <AttributesLink groupId={groupId} />}
            </li>
          );
        })}
      </ol>
      <p>
        <Link href="/">{t('home')}</Link>
      </p>
    </section>
  );
}

/** The steps of one stage, done or not, with links where there is somewhere to go. */
function StageSteps({
  progress: p,
  stage,
  groupId,
  reached,
}: {
  progress: JourneyProgress;
  stage: StageName;
  groupId: string;
  reached: boolean;
}) {
  const { t } = useTranslation('journey');
  const paths = journeyPaths(groupId);
  const steps = p.steps.filter((s) => s.stage === stage);
  const text = (id: string) => {
    switch (id) {
      case 'orientation':
        return t('step.orientation', { read: p.pages.read, count: p.pages.total });
      case 'practice':
        return t('step.practice', { count: p.practice.items });
      case 'check':
        return p.check.bestScore === null
          ? t('step.check', { passMark: p.check.passMark, count: p.check.questions })
          : t('step.checkTried', { passMark: p.check.passMark, count: p.check.questions, best: p.check.bestScore });
      case 'chat':
        return t('step.chat', { done: p.turns.done, count: p.turns.min });
      case 'code':
        return t('step.code', { count: p.labels });
      default:
        return t('step.discuss');
    }
  };
  const href = (id: string): string | null => {
    if (id === 'orientation') return paths.orientation;
    if (id === 'practice') return paths.practice;
    if (id === 'check') return paths.check;
    if (id === 'chat' && reached && !p.waiting) return paths.chat;
    // The baseline set can be coded as soon as Familiarize is behind (no chat needed first).
    if (id === 'code' && p.stage !== 'familiarize' && !p.waiting) return codingPath(groupId);
    if (id === 'discuss' && p.sessionId && p.stage === 'discuss') return `/sessions/${encodeURIComponent(p.sessionId)}`;
    return null;
  };
  return (
    <ul className="journey-steps">
      {steps.map((step) => {
        const link = href(step.id);
        return (
          <li key={step.id} className={step.done ? 'done' : undefined}>
            <span className="journey-mark" aria-hidden="true">
              {step.done ? '✓' : '○'}
            </span>
            <span className="visually-hidden">{step.done ? t('status.stepDone') : t('status.stepOpen')}</span>
            <span>
              {link ? <Link href={link}>{text(step.id)}</Link> : text(step.id)}
              {step.id === 'check' && p.check.required && <span className="hint"> {t('step.required')}</span>}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
