/**
 * The board's view maths, kept pure so it is tested without a browser: where cards sit on the
 * surface, which zoom keeps their text readable, and which part of the board to open on when all
 * of it cannot be readable at once.
 */

/** A card's size in board units (the CSS of `.board-card` follows it). */
export const cardSize = { width: 200, height: 96 } as const;

/** A card's main text in CSS px at 100 % (`.card-text` in board.css). */
export const cardTextPx = 18;

/** The smallest size at which a card's text counts as readable, in CSS px on screen. */
export const readableTextPx = 12;

/** The zoom below which a card's text is smaller than {@link readableTextPx} (rounded up, so never just under). */
export const readableScale = Math.ceil((readableTextPx / cardTextPx) * 1000) / 1000;

/**
 * How far one may zoom out and in. Far enough out that "Fit all" shows a whole affinity map on a
 * phone (a higher floor left a large map overflowing the surface, its cards off in a corner).
 */
export const zoomLimits = { min: 0.05, max: 3 } as const;

/** The largest zoom a fit chooses by itself: past it cards only grow, they show nothing more. */
export const fitMaxScale = 1.25;

/** Board units of empty space kept around what a fit shows. */
const margin = 20;

/** Where the board layer sits on the surface: screen = board × scale + (x, y). */
export interface View {
  readonly x: number;
  readonly y: number;
  readonly scale: number;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

export const clampScale = (scale: number) => Math.min(zoomLimits.max, Math.max(zoomLimits.min, scale));

function boundsOf(cards: readonly Point[]): Box {
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const c of cards) {
    left = Math.min(left, c.x);
    top = Math.min(top, c.y);
    right = Math.max(right, c.x + cardSize.width);
    bottom = Math.max(bottom, c.y + cardSize.height);
  }
  return { left: left - margin, top: top - margin, right: right + margin, bottom: bottom + margin };
}

/** The view that shows `box` at `scale`, centred on the surface. */
function centred(box: Box, scale: number, surface: Size): View {
  const width = (box.right - box.left) * scale;
  const height = (box.bottom - box.top) * scale;
  return {
    scale,
    x: (surface.width - width) / 2 - box.left * scale,
    y: (surface.height - height) / 2 - box.top * scale,
  };
}

/** Every card, as large as fits (never past {@link fitMaxScale}), centred: what "Fit all" shows. */
export function fitAll(cards: readonly Point[], surface: Size): View | null {
  if (cards.length === 0 || surface.width <= 0 || surface.height <= 0) return null;
  const box = boundsOf(cards);
  const scale = clampScale(
    Math.min(fitMaxScale, surface.width / (box.right - box.left), surface.height / (box.bottom - box.top)),
  );
  return centred(box, scale, surface);
}

/** At most this many candidate corners per axis when looking for the densest window. */
const maxCandidates = 48;

function candidates(values: number[]): number[] {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length <= maxCandidates) return sorted;
  const step = sorted.length / maxCandidates;
  return Array.from({ length: maxCandidates }, (_, i) => sorted[Math.floor(i * step)] as number);
}

/**
 * The view a board opens on: every card when they all fit at a readable zoom; otherwise the
 * readable zoom itself, on the window of the surface's size that holds the most whole cards (the
 * one nearest the top left among equals: where people start reading), so people see readable
 * cards at once and pan to the rest.
 */
export function readableFit(cards: readonly Point[], surface: Size): View | null {
  const all = fitAll(cards, surface);
  if (!all || all.scale >= readableScale) return all;
  const scale = readableScale;
  // The window, in board units, that the surface shows at this scale.
  const width = surface.width / scale;
  const height = surface.height / scale;
  let best: { box: Box; count: number } | null = null;
  for (const top of candidates(cards.map((c) => c.y - margin))) {
    for (const left of candidates(cards.map((c) => c.x - margin))) {
      const [right, bottom] = [left + width, top + height];
      let count = 0;
      for (const c of cards) {
        if (c.x >= left && c.y >= top && c.x + cardSize.width <= right && c.y + cardSize.height <= bottom) count += 1;
      }
      // Candidates come top to bottom, left to right: only a strictly denser window replaces one.
      if (!best || count > best.count) best = { box: { left, top, right, bottom }, count };
    }
  }
  if (!best || best.count === 0) {
    // Not even one whole card fits (a tiny surface): show the first card's corner.
    const first = [...cards].sort((a, b) => a.y - b.y || a.x - b.x)[0] as Point;
    return { scale, x: -(first.x - margin) * scale, y: -(first.y - margin) * scale };
  }
  // Centre the cards of that window where they leave room on the surface.
  const inside = cards.filter(
    (c) =>
      c.x >= best.box.left &&
      c.y >= best.box.top &&
      c.x + cardSize.width <= best.box.right &&
      c.y + cardSize.height <= best.box.bottom,
  );
  return centred(boundsOf(inside), scale, surface);
}

/** Zooms by `factor` keeping the surface point `at` (surface coordinates) still. */
export function zoomAt(view: View, factor: number, at: Point): View {
  const scale = clampScale(view.scale * factor);
  return {
    scale,
    x: at.x - ((at.x - view.x) * scale) / view.scale,
    y: at.y - ((at.y - view.y) * scale) / view.scale,
  };
}

/**
 * Where a new card goes near `near` (a card's corner) without covering another card: the nearest
 * free place in half-card steps around it (right of it first, then below, left, above), within
 * a few steps; `near` shifted right when the board around it is full.
 */
export function freeSpotNear(near: Point, cards: readonly Point[], skipSelf = true): Point {
  const step = { x: (cardSize.width + 16) / 2, y: (cardSize.height + 16) / 2 };
  const overlaps = (p: Point) =>
    cards.some(
      (c) =>
        p.x < c.x + cardSize.width + 8 &&
        p.x + cardSize.width + 8 > c.x &&
        p.y < c.y + cardSize.height + 8 &&
        p.y + cardSize.height + 8 > c.y,
    );
  const spots: { p: Point; d: number; order: number }[] = [];
  for (let i = -4; i <= 4; i += 1) {
    for (let j = -4; j <= 4; j += 1) {
      if (skipSelf && Math.abs(i) < 2 && Math.abs(j) < 2) continue;
      const p = { x: near.x + i * step.x, y: near.y + j * step.y };
      // Right, then below, left, above among spots as far away.
      const order = i > 0 ? 0 : j > 0 ? 1 : i < 0 ? 2 : 3;
      spots.push({ p, d: Math.hypot(i * step.x, j * step.y), order });
    }
  }
  spots.sort((a, b) => a.d - b.d || a.order - b.order);
  return spots.find((s) => !overlaps(s.p))?.p ?? { x: near.x + cardSize.width + 16, y: near.y };
}

/** The zoom as people read it: a whole percentage. */
export const zoomPercent = (view: View) => Math.round(view.scale * 100);

/** A surface point in board coordinates. */
export const toBoard = (view: View, at: Point): Point => ({
  x: (at.x - view.x) / view.scale,
  y: (at.y - view.y) / view.scale,
});
