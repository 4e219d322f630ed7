import { useCallback, useEffect, useRef, useState } from 'react';
import {
  cardSize,
  fitAll,
  type Point,
  readableFit,
  readableScale,
  type Size,
  toBoard,
  type View,
  zoomAt,
} from './geometry';
import { wheelAction } from './gestures';

/**
 * How the view was last chosen: fitted readable (the default), fitted to everything ("Fit all"),
 * or moved by the person. A fitted view fits again when the surface changes size (a phone turned,
 * a window resized, the surface laid out after the first measure); a view the person chose stays.
 */
type Mode = 'readable' | 'all' | 'manual';

/**
 * The board's view: where the layer sits on the surface and how large, the surface's size as
 * measured by a ResizeObserver (never a size read before layout), the fits, and the wheel
 * (Ctrl/⌘ + wheel and trackpad pinches zoom; a plain wheel is left to scroll the page).
 */
export function useBoardView(cards: readonly Point[], ready: boolean, refitKey: number) {
  const surface = useRef<HTMLDivElement>(null);
  const [view, setViewState] = useState<View>({ x: 0, y: 0, scale: readableScale });
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });
  const mode = useRef<Mode>('readable');
  const fitted = useRef(false);
  const latest = useRef({ cards, size });
  latest.current = { cards, size };

  useEffect(() => {
    const element = surface.current;
    if (!element) return undefined;
    const measure = () => setSize({ width: element.clientWidth, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const fit = useCallback((how: 'readable' | 'all') => {
    const { cards: now, size: measured } = latest.current;
    const next = how === 'all' ? fitAll(now, measured) : readableFit(now, measured);
    if (!next) return false;
    mode.current = how;
    setViewState(next);
    return true;
  }, []);

  // The first fit, once the board has synced with cards on it and the surface has a size.
  useEffect(() => {
    if (fitted.current || !ready || cards.length === 0 || size.width === 0) return;
    fitted.current = fit('readable');
  }, [ready, cards.length, size.width, fit]);

  // A fitted view follows the surface's size.
  useEffect(() => {
    if (!fitted.current || mode.current === 'manual' || size.width === 0 || size.height === 0) return;
    fit(mode.current);
  }, [size.width, size.height, fit]);

  // After a new layout (an affinity map), once the cards have moved.
  useEffect(() => {
    if (refitKey === 0) return undefined;
    const timer = setTimeout(() => fit('readable'), 300);
    return () => clearTimeout(timer);
  }, [refitKey, fit]);

  /** A view the person chose (a pan, a zoom): it stays when the surface resizes. */
  const setView = useCallback((next: View | ((v: View) => View)) => {
    mode.current = 'manual';
    setViewState(next);
  }, []);

  /** Zooms by `factor` about a surface point (its centre by default). */
  const zoomBy = useCallback(
    (factor: number, at?: Point) => {
      const { size: measured } = latest.current;
      setView((v) => zoomAt(v, factor, at ?? { x: measured.width / 2, y: measured.height / 2 }));
    },
    [setView],
  );

  /** Pans the least that brings a board box wholly into view (a focused card, a new note). */
  const reveal = useCallback((box: { x: number; y: number; width?: number; height?: number }) => {
    setViewState((v) => {
      const { size: measured } = latest.current;
      const pad = 12;
      const left = box.x * v.scale + v.x;
      const top = box.y * v.scale + v.y;
      const right = left + (box.width ?? cardSize.width) * v.scale;
      const bottom = top + (box.height ?? cardSize.height) * v.scale;
      let dx = 0;
      let dy = 0;
      if (left < pad) dx = pad - left;
      else if (right > measured.width - pad) dx = Math.max(pad - left, measured.width - pad - right);
      if (top < pad) dy = pad - top;
      else if (bottom > measured.height - pad) dy = Math.max(pad - top, measured.height - pad - bottom);
      if (dx === 0 && dy === 0) return v;
      mode.current = 'manual';
      return { ...v, x: v.x + dx, y: v.y + dy };
    });
  }, []);

  // The wheel, as a native listener: React's is passive and cannot keep the browser from zooming
  // the whole page on Ctrl+wheel or a pinch.
  useEffect(() => {
    const element = surface.current;
    if (!element) return undefined;
    const onWheel = (event: WheelEvent) => {
      const action = wheelAction(event);
      if (action.type === 'scroll-page') return;
      event.preventDefault();
      const rect = element.getBoundingClientRect();
      zoomBy(action.factor, { x: event.clientX - rect.left, y: event.clientY - rect.top });
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, [zoomBy]);

  /** A client (viewport) point in board coordinates. */
  const clientToBoard = useCallback(
    (clientX: number, clientY: number) => {
      const rect = surface.current?.getBoundingClientRect() ?? { left: 0, top: 0 };
      return toBoard(view, { x: clientX - rect.left, y: clientY - rect.top });
    },
    [view],
  );

  /** The board point at the centre of what the surface shows. */
  const centre = useCallback(() => toBoard(view, { x: size.width / 2, y: size.height / 2 }), [view, size]);

  return { surface, view, size, setView, zoomBy, fitAll: () => fit('all'), reveal, clientToBoard, centre };
}
