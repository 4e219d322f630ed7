import { lazy, Suspense, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { AbPage } from './features/ab/ab-page';
import { AgreementPage } from './features/agreement/agreement-page';
import { ArtifactsListPage } from './features/artifacts/artifacts-list-page';
import { ArtifactsPage } from './features/artifacts/artifacts-page';
import { AttributesPage } from './features/attributes/attributes-page';
import { ChatPage } from './features/chat/chat-page';
import { ConversationPage } from './features/chat/conversation-page';
import { CodingPage } from './features/coding/coding-page';
import { ComparisonPage } from './features/comparison/comparison-page';
import { HealthFooter } from './features/health/health-footer';
import { HomePage } from './features/home/home-page';
import { JoinPage } from './features/join/join-page';
import { CheckPage } from './features/journey/check-page';
import { JourneyPage } from './features/journey/journey-page';
import { OrientationEditorPage } from './features/journey/orientation-editor';
import { OrientationPage } from './features/journey/orientation-page';
import { PracticePage } from './features/journey/practice-page';
import { ProgressPage } from './features/journey/progress-panel';
import { LanguageSwitcher } from './features/language/language-switcher';
import { ReplayPage } from './features/replay/replay-page';
import { SessionPage } from './features/session/session-page';
import { StudyListPage } from './features/study/study-list-page';
import { StudyPage } from './features/study/study-page';
import { SummaryPage } from './features/summary/summary-page';
import { TranscriptsPage } from './features/transcripts/transcripts-page';
import { Link, parseRoute, type Route, usePathname } from './lib/router';

// The dashboard brings the charting library: loaded only when an analyst opens it.
const DashboardPage = lazy(() =>
  import('./features/analyst/dashboard-page').then((m) => ({ default: m.DashboardPage })),
);
const RubricsPage = lazy(() => import('./features/rubrics/rubrics-page').then((m) => ({ default: m.RubricsPage })));

// The judge page draws charts too: loaded only when it is opened.
const JudgePage = lazy(() => import('./features/judge/judge-page').then((m) => ({ default: m.JudgePage })));

/** The page title's key in the `common` namespace (or `namespace:key`), per route. */
const titleKeys = {
  home: 'title.home',
  join: 'title.join',
  session: 'title.session',
  analysis: 'title.analysis',
  rubrics: 'rubrics:pageTitle',
  replay: 'replay:pageTitle',
  summary: 'title.summary',
  chat: 'chat:pageTitle.chat',
  conversation: 'chat:pageTitle.conversation',
  studies: 'study:pageTitle.studies',
  study: 'study:pageTitle.study',
  journey: 'journey:pageTitle.journey',
  orientation: 'journey:pageTitle.orientation',
  practice: 'journey:pageTitle.practice',
  check: 'journey:pageTitle.check',
  progress: 'journey:pageTitle.progress',
  'orientation-editor': 'journey:pageTitle.editor',
  transcripts: 'sharing:page.documentTitle',
  coding: 'coding:pageTitle',
  attributes: 'attributes:documentTitle',
  'artifacts-list': 'artifacts:pageTitleList',
  artifacts: 'artifacts:pageTitle',
  agreement: 'agreement:pageTitle',
  ab: 'ab:pageTitle',
  judge: 'judge:pageTitle',
  comparison: 'comparison:pageTitle',
  'not-found': 'title.notFound',
} as const satisfies Record<Route['type'], string>;

function Page({ route }: { route: Route }) {
  const { t } = useTranslation('common');
  switch (route.type) {
    case 'home':
      return <HomePage />;
    case 'join':
      // Keyed so that following another invite link starts from a fresh form.
      return <JoinPage key={route.inviteCode} inviteCode={route.inviteCode} />;
    case 'session':
      return <SessionPage key={route.sessionId} sessionId={route.sessionId} />;
    case 'analysis':
      return (
        <Suspense fallback={<p className="status">{t('loading')}</p>}>
          <DashboardPage key={route.sessionId} sessionId={route.sessionId} />
        </Suspense>
      );
    case 'rubrics':
      return (
        <Suspense fallback={<p className="status">{t('loading')}</p>}>
          <RubricsPage key={route.sessionId} sessionId={route.sessionId} />
        </Suspense>
      );
    case 'replay':
      return <ReplayPage key={route.sessionId} sessionId={route.sessionId} />;
    case 'summary':
      return <SummaryPage groupId={route.groupId} />;
    case 'chat':
      return <ChatPage key={route.groupId} groupId={route.groupId} />;
    case 'conversation':
      return <ConversationPage key={route.conversationId} conversationId={route.conversationId} />;
    case 'studies':
      return <StudyListPage />;
    case 'study':
      return <StudyPage key={route.studyId} studyId={route.studyId} />;
    case 'journey':
      return <JourneyPage key={route.groupId} groupId={route.groupId} />;
    case 'orientation':
      return <OrientationPage key={route.groupId} groupId={route.groupId} />;
    case 'practice':
      return <PracticePage key={route.groupId} groupId={route.groupId} />;
    case 'check':
      return <CheckPage key={route.groupId} groupId={route.groupId} />;
    case 'progress':
      return <ProgressPage key={route.groupId} groupId={route.groupId} />;
    case 'orientation-editor':
      return <OrientationEditorPage key={route.studyId} studyId={route.studyId} />;
    case 'transcripts':
      return <TranscriptsPage groupId={route.groupId} />;
    case 'coding':
      return <CodingPage key={route.groupId} groupId={route.groupId} />;
    case 'attributes':
      return <AttributesPage key={route.groupId} groupId={route.groupId} />;
    case 'artifacts-list':
      return <ArtifactsListPage key={route.groupId} groupId={route.groupId} />;
    case 'artifacts':
      return (
        <ArtifactsPage
          key={`${route.groupId}/${route.participantId}`}
          groupId={route.groupId}
          participantId={route.participantId}
        />
      );
    case 'agreement':
      return <AgreementPage key={route.groupId} groupId={route.groupId} />;
    case 'ab':
      return <AbPage key={route.groupId} groupId={route.groupId} />;
    case 'judge':
      return (
        <Suspense fallback={<p className="status">{t('loading')}</p>}>
          <JudgePage key={route.sessionId} sessionId={route.sessionId} />
        </Suspense>
      );
    case 'comparison':
      return <ComparisonPage key={route.studyId} studyId={route.studyId} />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

function NotFoundPage() {
  const { t } = useTranslation('common');
  return (
    <section className="card" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{t('notFound.title')}</h1>
      <p>
        {t('notFound.text')} <Link href="/">{t('notFound.home')}</Link>
      </p>
    </section>
  );
}

/**
 * How wide the page column is, per route: known from the address alone, so that a page which is
 * still loading already has its final width (a column that widened once the page's data came
 * moved everything under the pointer).
 */
function mainWidth(type: Route['type']): 'wide' | 'medium' | undefined {
  if (type === 'session' || type === 'analysis') return 'wide';
  if (type === 'attributes') return 'medium';
  return undefined;
}

/** The app shell: header, the page for the current path, and the server status footer. */
export function App() {
  const { t } = useTranslation('common');
  const pathname = usePathname();
  const route = parseRoute(pathname);
  const main = useRef<HTMLElement>(null);
  const shownPathname = useRef(pathname);
  const title = t(titleKeys[route.type]);
  const width = mainWidth(route.type);

  useEffect(() => {
    document.title = title;
  }, [title]);

  // A client-side navigation is silent for screen readers; moving focus to the new content
  // announces it. The first load is left alone so the browser's own focus handling applies.
  useEffect(() => {
    if (shownPathname.current === pathname) return;
    shownPathname.current = pathname;
    main.current?.focus();
  }, [pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <header className="site-header">
        <Link href="/" className="brand">
          Calma
        </Link>
        <LanguageSwitcher />
      </header>
      <main id="main" ref={main} tabIndex={-1} className={width && `main-${width}`}>
        <Page route={route} />
      </main>
      <HealthFooter />
    </>
  );
}
