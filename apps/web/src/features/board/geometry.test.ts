import { describe, expect, it } from 'vitest';
import {
  cardSize,
  cardTextPx,
  fitAll,
  freeSpotNear,
  readableFit,
  readableScale,
  readableTextPx,
  toBoard,
  zoomAt,
} from './geometry';

/** The server's first layout: a grid of 8 columns, 220 × 120 apart, from (40, 40). */
const grid = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ x: 40 + (i % 8) * 220, y: 40 + Math.floor(i / 8) * 120 }));

/** Which cards are wholly on a surface of `size` under `view`. */
const visible = (
  cards: { x: number; y: number }[],
  view: { x: number; y: number; scale: number },
  size: { width: number; height: number },
) =>
  cards.filter((c) => {
    const left = c.x * view.scale + view.x;
    const top = c.y * view.scale + view.y;
    return (
      left >= -0.5 &&
      top >= -0.5 &&
      left + cardSize.width * view.scale <= size.width + 0.5 &&
      top + cardSize.height * view.scale <= size.height + 0.5
    );
  });

/** A view the test knows exists. */
function must<T>(value: T | null): T {
  if (value === null) throw new Error('no view');
  return value;
}

describe('the view a board opens on', () => {
  it('keeps card text at least 12 px on screen', () => {
    expect(cardTextPx * readableScale).toBeGreaterThanOrEqual(readableTextPx);
    expect(cardTextPx * readableScale).toBeCloseTo(readableTextPx, 1);
  });

  it('shows every card when they all fit readable (the demo board on a wide laptop)', () => {
    const cards = grid(24);
    const surface = { width: 1240, height: 700 };
    const view = readableFit(cards, surface);
    expect(view?.scale).toBeGreaterThanOrEqual(readableScale);
    expect(visible(cards, must(view), surface)).toHaveLength(24);
  });

  it('never opens below the readable zoom: on a phone it shows the densest window readable', () => {
    const cards = grid(24);
    const phone = { width: 372, height: 600 };
    // Fit-all would shrink the text to ~4 px…
    expect(must(fitAll(cards, phone)).scale * cardTextPx).toBeLessThan(5);
    // …the readable fit keeps 12 px and shows whole cards, from the top left.
    const view = must(readableFit(cards, phone));
    expect(view.scale).toBe(readableScale);
    const seen = visible(cards, view, phone);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen).toContainEqual(cards[0]);
  });

  it('opens on the densest region when the cards are spread out', () => {
    const lone = { x: 0, y: 0 };
    const cluster = Array.from({ length: 6 }, (_, i) => ({
      x: 3000 + (i % 2) * 220,
      y: 2000 + Math.floor(i / 2) * 120,
    }));
    const surface = { width: 500, height: 600 };
    const view = must(readableFit([lone, ...cluster], surface));
    expect(visible(cluster, view, surface).length).toBeGreaterThanOrEqual(4);
    expect(visible([lone], view, surface)).toHaveLength(0);
  });

  it('centres the cards on the surface on "Fit all", whatever its shape', () => {
    const cards = grid(24);
    for (const surface of [
      { width: 372, height: 640 },
      { width: 1800, height: 900 },
    ]) {
      const view = must(fitAll(cards, surface));
      const left = (40 - 20) * view.scale + view.x;
      const right = (40 + 7 * 220 + cardSize.width + 20) * view.scale + view.x;
      const top = (40 - 20) * view.scale + view.y;
      const bottom = (40 + 2 * 120 + cardSize.height + 20) * view.scale + view.y;
      expect(left).toBeCloseTo(surface.width - right);
      expect(top).toBeCloseTo(surface.height - bottom);
    }
  });

  it('has nothing to fit on an empty board or a surface not laid out yet', () => {
    expect(readableFit([], { width: 500, height: 500 })).toBeNull();
    expect(readableFit(grid(3), { width: 0, height: 0 })).toBeNull();
  });

  it('zooms about a point, which stays where it was', () => {
    const view = { x: 30, y: -40, scale: 0.8 };
    const at = { x: 200, y: 150 };
    const before = toBoard(view, at);
    const after = toBoard(zoomAt(view, 1.5, at), at);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
    expect(zoomAt(view, 100, at).scale).toBe(3);
  });

  it('puts a comment or a new note where it covers no card, near where it belongs', () => {
    const cards = grid(24);
    const overlapsAny = (p: { x: number; y: number }) =>
      cards.some((c) => Math.abs(c.x - p.x) < cardSize.width && Math.abs(c.y - p.y) < cardSize.height);
    // A card in the grid's top row: the comment goes just above it, not over its neighbour.
    const first = cards[1] as { x: number; y: number };
    const spot = freeSpotNear(first, cards);
    expect(overlapsAny(spot)).toBe(false);
    expect(Math.hypot(spot.x - first.x, spot.y - first.y)).toBeLessThan(250);
    // Any card of the grid: a free place within about a card of it.
    for (const card of cards) {
      const near = freeSpotNear(card, cards);
      expect(overlapsAny(near)).toBe(false);
      expect(Math.hypot(near.x - card.x, near.y - card.y)).toBeLessThan(460);
    }
    // A new note in the middle of an empty stretch stays where it was asked for.
    expect(freeSpotNear({ x: 5000, y: 5000 }, cards, false)).toEqual({ x: 5000, y: 5000 });
  });
});
