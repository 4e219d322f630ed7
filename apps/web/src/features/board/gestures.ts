import { clampScale, type Point, type View } from './geometry';

/**
 * What the board does with the wheel, the mouse and fingers, decided without the DOM: the surface
 * feeds events in and applies what comes out.
 */

/** The parts of a `WheelEvent` the board reads. */
export interface WheelInput {
  readonly deltaY: number;
  /** `DOM_DELTA_PIXEL` 0, `DOM_DELTA_LINE` 1, `DOM_DELTA_PAGE` 2. */
  readonly deltaMode: number;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
}

/**
 * A plain wheel scrolls the page, as over a document (the board is not a trap one scrolls into
 * and cannot leave). Ctrl or ⌘ with the wheel zooms, and so does a trackpad pinch, which browsers
 * report as a wheel with `ctrlKey` set. The zoom follows the distance scrolled, so a trackpad's
 * many small deltas and a mouse's notches zoom alike.
 */
export function wheelAction(event: WheelInput): { type: 'scroll-page' } | { type: 'zoom'; factor: number } {
  if (!event.ctrlKey && !event.metaKey) return { type: 'scroll-page' };
  const pixels = event.deltaY * (event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1);
  // 100 px (one mouse notch) ≈ ×1.2; capped so a fling does not jump to the limit.
  const clamped = Math.max(-200, Math.min(200, pixels));
  return { type: 'zoom', factor: Math.exp((-clamped * Math.log(1.2)) / 100) };
}

/** Pointer travel, in CSS px, under which a press and release is a tap or click, not a drag. */
export const tapSlop = 6;

export const isTap = (start: Point, end: Point) => Math.hypot(end.x - start.x, end.y - start.y) < tapSlop;

/** Two fingers at the start of a pinch, and the view then. */
export interface PinchStart {
  readonly a: Point;
  readonly b: Point;
  readonly view: View;
}

/**
 * The view while two fingers move: the zoom follows the distance between them, and the board
 * point first under their midpoint stays under it (so a pinch also pans).
 */
export function pinchView(start: PinchStart, a: Point, b: Point): View {
  const d0 = Math.max(1, Math.hypot(start.a.x - start.b.x, start.a.y - start.b.y));
  const d1 = Math.hypot(a.x - b.x, a.y - b.y);
  const scale = clampScale((start.view.scale * d1) / d0);
  const m0 = { x: (start.a.x + start.b.x) / 2, y: (start.a.y + start.b.y) / 2 };
  const m1 = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  // The board point under the first midpoint…
  const bx = (m0.x - start.view.x) / start.view.scale;
  const by = (m0.y - start.view.y) / start.view.scale;
  // …is under the midpoint now.
  return { scale, x: m1.x - bx * scale, y: m1.y - by * scale };
}

/**
 * What pressing on the board starts. A mouse or pen on a card drags it (and the selection with
 * it) when the board is writable; a finger on a card drags it only when the card was already
 * selected (tap first, then drag), else it pans, so that one finger can always move the view.
 * Shift on the background draws a selection box; anything else pans.
 */
export function pressAction(press: {
  readonly pointerType: string;
  readonly onCard: boolean;
  readonly cardSelected: boolean;
  readonly shiftKey: boolean;
  readonly readOnly: boolean;
}): 'drag-cards' | 'select-box' | 'pan' {
  if (press.onCard) {
    if (press.readOnly) return 'pan';
    if (press.pointerType === 'touch' && !press.cardSelected) return 'pan';
    return 'drag-cards';
  }
  return press.shiftKey ? 'select-box' : 'pan';
}
