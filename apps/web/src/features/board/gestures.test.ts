import { describe, expect, it } from 'vitest';
import { toBoard } from './geometry';
import { isTap, pinchView, pressAction, wheelAction } from './gestures';

const wheel = (deltaY: number, keys: { ctrlKey?: boolean; metaKey?: boolean } = {}, deltaMode = 0) => ({
  deltaY,
  deltaMode,
  ctrlKey: keys.ctrlKey ?? false,
  metaKey: keys.metaKey ?? false,
});

describe('the wheel over the board', () => {
  it('scrolls the page when no key is held', () => {
    expect(wheelAction(wheel(100))).toEqual({ type: 'scroll-page' });
    expect(wheelAction(wheel(-3, {}, 1))).toEqual({ type: 'scroll-page' });
  });

  it('zooms with Ctrl or ⌘, and on a trackpad pinch (a wheel with ctrlKey): in when scrolling up', () => {
    const up = wheelAction(wheel(-100, { ctrlKey: true }));
    const down = wheelAction(wheel(100, { metaKey: true }));
    expect(up.type === 'zoom' && up.factor).toBeCloseTo(1.2);
    expect(down.type === 'zoom' && down.factor).toBeCloseTo(1 / 1.2);
    // A trackpad pinch: many small deltas, each a small step.
    const pinch = wheelAction(wheel(-4, { ctrlKey: true }));
    expect(pinch.type === 'zoom' && pinch.factor).toBeGreaterThan(1);
    expect(pinch.type === 'zoom' && pinch.factor).toBeLessThan(1.02);
    // Lines count as 16 px; a huge fling is capped.
    const lines = wheelAction(wheel(-3, { ctrlKey: true }, 1));
    expect(lines.type === 'zoom' && lines.factor).toBeGreaterThan(1);
    const fling = wheelAction(wheel(-5000, { ctrlKey: true }));
    expect(fling.type === 'zoom' && fling.factor).toBeCloseTo(1.44);
  });
});

describe('fingers and pointers', () => {
  it('tells a tap from a drag', () => {
    expect(isTap({ x: 10, y: 10 }, { x: 13, y: 12 })).toBe(true);
    expect(isTap({ x: 10, y: 10 }, { x: 30, y: 10 })).toBe(false);
  });

  it('pinch: the zoom follows the fingers, and the board point between them stays between them', () => {
    const view = { x: 0, y: 0, scale: 1 };
    const start = { a: { x: 100, y: 100 }, b: { x: 200, y: 100 }, view };
    const next = pinchView(start, { x: 50, y: 100 }, { x: 250, y: 100 });
    expect(next.scale).toBeCloseTo(2);
    expect(toBoard(next, { x: 150, y: 100 })).toEqual(toBoard(view, { x: 150, y: 100 }));
    // Both fingers moving together pan.
    const moved = pinchView(start, { x: 150, y: 150 }, { x: 250, y: 150 });
    expect(moved).toEqual({ scale: 1, x: 50, y: 50 });
  });

  it('one finger pans, even on a card, unless the card was selected first; a mouse drags cards', () => {
    const press = { pointerType: 'touch', onCard: true, cardSelected: false, shiftKey: false, readOnly: false };
    expect(pressAction(press)).toBe('pan');
    expect(pressAction({ ...press, cardSelected: true })).toBe('drag-cards');
    expect(pressAction({ ...press, pointerType: 'mouse' })).toBe('drag-cards');
    expect(pressAction({ ...press, pointerType: 'mouse', readOnly: true })).toBe('pan');
    expect(pressAction({ ...press, onCard: false })).toBe('pan');
    expect(pressAction({ ...press, onCard: false, shiftKey: true, pointerType: 'mouse' })).toBe('select-box');
  });
});
