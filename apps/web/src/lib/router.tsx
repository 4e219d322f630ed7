import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

/** The pages the app knows, tagged by `type`. */
export type Route =
  | { type: 'home' }
  | { type: 'join'; inviteCode: string }
  | { type: 'session'; sessionId: string }
  | { type: 'analysis'; sessionId: string }
  | { type: 'rubrics'; sessionId: string }
  | { type: 'replay'; sessionId: string }
  | { type: 'summary'; groupId: string }
  | { type: 'chat'; groupId: string }
  | { type: 'conversation'; conversationId: string }
  | { type: 'studies' }
  | { type: 'study'; studyId: string }
  | { type: JourneyRouteType; groupId: string }
  | { type: 'orientation-editor'; studyId: string }
  | { type: 'comparison'; studyId: string }
  | { type: 'transcripts'; groupId: string }
  | { type: 'coding'; groupId: string }
  | { type: 'attributes'; groupId: string }
  | { type: 'artifacts-list'; groupId: string }
  | { type: 'artifacts'; groupId: string; participantId: string }
  | { type: 'agreement'; groupId: string }
  | { type: 'ab'; groupId: string }
  | { type: 'judge'; sessionId: string }
  | { type: 'not-found'; path: string };

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** The participant journey's pages and the staff's progress page (`/groups/:groupId/<type>`). */
export type JourneyRouteType = 'journey' | 'orientation' | 'practice' | 'check' | 'progress';

/** Maps a pathname onto a {@link Route}. */
export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { type: 'home' };
  const join = /^\/join(?:\/([^/]+))?$/.exec(path);
  if (join) return { type: 'join', inviteCode: decodeSegment(join[1] ?? '') };
  const rubrics = /^\/sessions\/([^/]+)\/rubrics$/.exec(path);
  if (rubrics) return { type: 'rubrics', sessionId: decodeSegment(rubrics[1] ?? '') };
  const replay = /^\/sessions\/([^/]+)\/replay$/.exec(path);
  if (replay) return { type: 'replay', sessionId: decodeSegment(replay[1] ?? '') };
  const session = /^\/sessions\/([^/]+)(\/analysis)?$/.exec(path);
  if (session) return { type: session[2] ? 'analysis' : 'session', sessionId: decodeSegment(session[1] ?? '') };
  const judge = /^\/sessions\/([^/]+)\/judge$/.exec(path);
  if (judge) return { type: 'judge', sessionId: decodeSegment(judge[1] ?? '') };
  const summary = /^\/groups\/([^/]+)\/summary$/.exec(path);
  if (summary) return { type: 'summary', groupId: decodeSegment(summary[1] ?? '') };
  const chat = /^\/groups\/([^/]+)\/chat$/.exec(path);
  if (chat) return { type: 'chat', groupId: decodeSegment(chat[1] ?? '') };
  const conversation = /^\/conversations\/([^/]+)$/.exec(path);
  if (conversation) return { type: 'conversation', conversationId: decodeSegment(conversation[1] ?? '') };
  if (path === '/studies') return { type: 'studies' };
  const study = /^\/studies\/([^/]+)$/.exec(path);
  if (study) return { type: 'study', studyId: decodeSegment(study[1] ?? '') };
  const journey = /^\/groups\/([^/]+)\/(journey|orientation|practice|check|progress)$/.exec(path);
  if (journey) return { type: journey[2] as JourneyRouteType, groupId: decodeSegment(journey[1] ?? '') };
  const comparison = /^\/studies\/([^/]+)\/comparison$/.exec(path);
  if (comparison) return { type: 'comparison', studyId: decodeSegment(comparison[1] ?? '') };
  const editor = /^\/studies\/([^/]+)\/orientation$/.exec(path);
  if (editor) return { type: 'orientation-editor', studyId: decodeSegment(editor[1] ?? '') };
  const transcripts = /^\/groups\/([^/]+)\/transcripts$/.exec(path);
  if (transcripts) return { type: 'transcripts', groupId: decodeSegment(transcripts[1] ?? '') };
  const coding = /^\/groups\/([^/]+)\/coding$/.exec(path);
  if (coding) return { type: 'coding', groupId: decodeSegment(coding[1] ?? '') };
  const attributes = /^\/groups\/([^/]+)\/attributes$/.exec(path);
  if (attributes) return { type: 'attributes', groupId: decodeSegment(attributes[1] ?? '') };
  const ab = /^\/groups\/([^/]+)\/ab$/.exec(path);
  if (ab) return { type: 'ab', groupId: decodeSegment(ab[1] ?? '') };
  const artifacts = /^\/groups\/([^/]+)\/(artifacts|agreement)(?:\/([^/]+))?$/.exec(path);
  if (artifacts && artifacts[2] === 'artifacts') {
    const groupId = decodeSegment(artifacts[1] ?? '');
    return artifacts[3]
      ? { type: 'artifacts', groupId, participantId: decodeSegment(artifacts[3]) }
      : { type: 'artifacts-list', groupId };
  }
  if (artifacts && !artifacts[3]) return { type: 'agreement', groupId: decodeSegment(artifacts[1] ?? '') };
  return { type: 'not-found', path };
}

/** The path of the join page for an invite code. */
export const joinPath = (inviteCode: string): string => `/join/${encodeURIComponent(inviteCode)}`;

const subscribe = (listener: () => void) => {
  window.addEventListener('popstate', listener);
  return () => window.removeEventListener('popstate', listener);
};

const getPathname = () => window.location.pathname;

/** The current pathname; re-renders on back/forward and on {@link navigate}. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, getPathname);
}

/** Goes to `to` inside the app without a page load. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  // pushState fires no event of its own; popstate is what usePathname listens to.
  window.dispatchEvent(new PopStateEvent('popstate'));
  window.scrollTo(0, 0);
}

/** An in-app link: a real `<a href>` (so open-in-new-tab works) that navigates without a reload. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
    if (event.defaultPrevented || event.button !== 0 || modified || rest.target) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handleClick} {...rest} />;
}
