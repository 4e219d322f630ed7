import { lazy, Suspense, useEffect, useRef } from 'react';
import { HealthFooter } from './features/health/health-footer';
import { HomePage } from './features/home/home-page';
import { JoinPage } from './features/join/join-page';
import { SessionPage } from './features/session/session-page';
import { SummaryPage } from './features/summary/summary-page';
import { Link, parseRoute, type Route, usePathname } from './lib/router';

// The dashboard brings the charting library: loaded only when an analyst opens it.
const DashboardPage = lazy(() =>
  import('./features/analyst/dashboard-page').then((m) => ({ default: m.DashboardPage })),
);

function titleOf(route: Route): string {
  switch (route.type) {
    case 'home':
      return 'Calma';
    case 'join':
      return 'Join · Calma';
    case 'session':
      return 'Session · Calma';
    case 'analysis':
      return 'Analysis · Calma';
    case 'summary':
      return 'Group summary · Calma';
    case 'not-found':
      return 'Page not found · Calma';
  }
}

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
      return (
        <Suspense fallback={<p className="status">Loading…</p>}>
          <DashboardPage key={route.sessionId} sessionId={route.sessionId} />
        </Suspense>
      );
    case 'summary':
      return <SummaryPage groupId={route.groupId} />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

function NotFoundPage() {
  return (
    <section className="card" aria-labelledby="not-found-title">
      <h1 id="not-found-title">Page not found</h1>
      <p>
        There is nothing at this address. <Link href="/">Go to the start page</Link>.
      </p>
    </section>
  );
}

/** The app shell: header, the page for the current path, and the server status footer. */
export function App() {
  const pathname = usePathname();
  const route = parseRoute(pathname);
  const main = useRef<HTMLElement>(null);
  const shownPathname = useRef(pathname);
  const title = titleOf(route);

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
        Skip to content
      </a>
      <header className="site-header">
        <Link href="/" className="brand">
          Calma
        </Link>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
      <HealthFooter />
    </>
  );
}
