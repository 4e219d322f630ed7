import type { Awareness } from 'y-protocols/awareness';

/** Someone else on the board (Yjs awareness). */
export interface Peer {
  readonly clientId: number;
  readonly name: string;
  readonly color: string;
  readonly cursor: { readonly x: number; readonly y: number } | null;
}

// Dark enough for white name tags (WCAG AA, ≥ 4.5:1).
const colors = ['#b3261e', '#00695c', '#8a5a00', '#2e7d32', '#6a1b9a', '#1d3557', '#a4442a', '#3d405b'];

/** The others on the board, from awareness: those who gave a name, without this client. */
export function readPeers(awareness: Awareness, self: number): Peer[] {
  const peers: Peer[] = [];
  for (const [clientId, state] of awareness.getStates()) {
    if (clientId === self) continue;
    const { user, cursor } = state as {
      user?: { name?: unknown; color?: unknown };
      cursor?: { x?: unknown; y?: unknown } | null;
    };
    if (typeof user?.name !== 'string' || !user.name) continue;
    peers.push({
      clientId,
      name: user.name,
      color: typeof user.color === 'string' ? user.color : '#555',
      cursor: typeof cursor?.x === 'number' && typeof cursor.y === 'number' ? { x: cursor.x, y: cursor.y } : null,
    });
  }
  return peers;
}

/** A colour for a person, the same on every screen. */
export function colorOf(id: string): string {
  let h = 0;
  for (let i = 0; i < id.length; i += 1) h = (Math.imul(h, 31) + id.charCodeAt(i)) | 0;
  return colors[Math.abs(h) % colors.length] as string;
}
