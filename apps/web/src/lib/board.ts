import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { type BoardActions, BoardClient, type BoardSnapshot, type Scheduler } from './board-client';

export type { Card } from '@calma/protocol/board';
export type { BoardActions, BoardSnapshot, Peer } from './board-client';

/** The board as a component sees it: what it shows and what one can do to it. */
export type Board = BoardSnapshot & BoardActions;

/** One refresh per frame, however many changes arrive in it. */
const animationFrame: Scheduler = (task) => {
  const frame = requestAnimationFrame(task);
  return () => cancelAnimationFrame(frame);
};

/** The board endpoint on the page's own origin. */
const boardUrl = () => `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/yjs`;

/**
 * The session's board (see {@link BoardClient}): one client per session, token and person,
 * connected while the component is mounted.
 */
export function useBoard(sessionId: string, token: string, me: { id: string; name: string }): Board {
  const client = useMemo(
    () =>
      new BoardClient({
        sessionId,
        token,
        me: { id: me.id, name: me.name },
        serverUrl: boardUrl(),
        schedule: animationFrame,
      }),
    [sessionId, token, me.id, me.name],
  );
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  const snapshot = useSyncExternalStore(client.subscribe, client.getSnapshot);
  return useMemo(
    () => ({
      ...snapshot,
      move: client.move,
      addNote: client.addNote,
      setText: client.setText,
      group: client.group,
      undo: client.undo,
      redo: client.redo,
      setCursor: client.setCursor,
    }),
    [snapshot, client],
  );
}
