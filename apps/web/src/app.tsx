import { type ComponentType, lazy, Suspense, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { HealthFooter } from './features/health/health-footer';
import { HomePage } from './features/home/home-page';
import { JoinPage } from './features/join/join-page';
import { LanguageSwitcher } from './features/language/language-switcher';
import { Link, parseRoute, type Route, usePathname } from './lib/router';

/** Set while the app reloads because a page's chunk would not load, so that it reloads once. */
const reloadedFor = 'calma.reloadedForChunk';

/**
 * A page loaded with its own chunk when it is first opened. A tab left open across a redeploy
 * asks for a chunk the new build no longer has: the app then reloads once, and the new
 * `index.html` names the new chunks. If the chunk still cannot be loaded (the server is gone),
 * the page says so and offers a reload, instead of the app going blank.
 */
function page<M, P extends object>(load: () => Promise<M>, pick: (module: M) => ComponentType<P>) {
  return lazy(async (): Promise<{ default: ComponentType<P> }> => {
    try {
      const module = await load();
      sessionStorage.removeItem(reloadedFor);
      return { default: pick(module) };
    } catch {
      if (!sessionStorage.getItem(reloadedFor)) {
        sessionStorage.setItem(reloadedFor, window.location.pathname);
        window.location.reload();
        return new Promise(() => undefined);
      }
      sessionStorage.removeItem(reloadedFor);
      return { default: PageNotLoaded };
    }
  });
}

function PageNotLoaded() {
  const { t } = useTranslation('common');
  return (
    <section className="card" aria-labelledby="page-not-loaded-title">
      <h1 id="page-not-loaded-title">{t('pageNotLoaded.title')}</h1>
      <p>{t('pageNotLoaded.text')}</p>
      <button type="button" onClick={() => window.location.reload()}>
        {t('pageNotLoaded.reload')}
      </button>
    </section>
  );
}

// Every page but the two a newcomer lands on (home, join) comes in its own chunk, loaded when it
// is first opened: a participant's phone does not fetch the board, the charts and the coding
// tools to show the join form. (The dashboard and the judge page bring the charting library.)
const AbPage = page(
  () => import('./features/ab/ab-page'),
  (m) => m.AbPage,
);
const AgreementPage = page(
  () => import('./features/agreement/agreement-page'),
  (m) => m.AgreementPage,
);
const ArtifactsListPage = page(
  () => import('./features/artifacts/artifacts-list-page'),
  (m) => m.ArtifactsListPage,
);
const ArtifactsPage = page(
  () => import('./features/artifacts/artifacts-page'),
  (m) => m.ArtifactsPage,
);
const AttributesPage = page(
  () => import('./features/attributes/attributes-page'),
  (m) => m.AttributesPage,
);
const ChatPage = page(
  () => import('./features/chat/chat-page'),
  (m) => m.ChatPage,
);
const CheckPage = page(
  () => import('./features/journey/check-page'),
  (m) => m.CheckPage,
);
const CodingPage = page(
  () => import('./features/coding/coding-page'),
  (m) => m.CodingPage,
);
const ComparisonPage = page(
  () => import('./features/comparison/comparison-page'),
  (m) => m.ComparisonPage,
);
const ConversationPage = page(
  () => import('./features/chat/conversation-page'),
  (m) => m.ConversationPage,
);
const DashboardPage = page(
  () => import('./features/analyst/dashboard-page'),
  (m) => m.DashboardPage,
);
const JourneyPage = page(
  () => import('./features/journey/journey-page'),
  (m) => m.JourneyPage,
);
const JudgePage = page(
  () => import('./features/judge/judge-page'),
  (m) => m.JudgePage,
);
const OrientationEditorPage = page(
  () => import('./features/journey/orientation-editor'),
  (m) => m.OrientationEditorPage,
);
const OrientationPage = page(
  () => import('./features/journey/orientation-page'),
  (m) => m.OrientationPage,
);
const PracticePage = page(
  () => import('./features/journey/practice-page'),
  (m) => m.PracticePage,
);
const ProgressPage = page(
  () => import('./features/journey/progress-panel'),
  (m) => m.ProgressPage,
);
const ReplayPage = page(
  () => import('./features/replay/replay-page'),
  (m) => m.ReplayPage,
);
const RubricsPage = page(
  () => import('./features/rubrics/rubrics-page'),
  (m) => m.RubricsPage,
);
const SessionPage = page(
  () => import('./features/session/session-page'),
  (m) => m.SessionPage,
);
const StudyListPage = page(
  () => import('./features/study/study-list-page'),
  (m) => m.StudyListPage,
);
const StudyPage = page(
  () => import('./features/study/study-page'),
  (m) => m.StudyPage,
);
const SummaryPage = page(
  () => import('./features/summary/summary-page'),
  (m) => m.SummaryPage,
);
const TranscriptsPage = page(
  () => import('./features/transcripts/transcripts-page'),
  (m) => m.TranscriptsPage,
);

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
  switch (route.type) {
    case 'home':
      return <HomePage />;
    case 'join':
      // Keyed so that following another invite link starts from a fresh form.
      return <JoinPage key={route.inviteCode} inviteCode={route.inviteCode} />;
    case 'session':
      return <SessionPage key={route.sessionId} sessionId={route.sessionId} />;
    case 'analysis':
      return <DashboardPage key={route.sessionId} sessionId={route.sessionId} />;
    case 'rubrics':
      return <RubricsPage key={route.sessionId} sessionId={route.sessionId} />;
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
      return <JudgePage key={route.sessionId} sessionId={route.sessionId} />;
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
        <Suspense fallback={<p className="status">{t('loading')}</p>}>
          <Page route={route} />
        </Suspense>
      </main>
      <HealthFooter />
    </>
  );
}
