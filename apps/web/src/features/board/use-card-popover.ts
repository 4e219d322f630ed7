import { useCallback, useEffect, useRef, useState } from 'react';
import type { PopoverVia } from './card-popover';

/** The board's popover, on one card. */
export interface Popover {
  id: string;
  via: PopoverVia;
  anchor: HTMLElement;
}

/**
 * Which card's details are open and how. Hover opens after a short pause and closes shortly after
 * the pointer leaves card and popover (time to move into it and scroll a long response); a dialog
 * opened by tap or keyboard stays until it is closed, and gives focus back to its card.
 */
export function useCardPopover(cardExists: (id: string) => boolean, busy: () => boolean) {
  const [popover, setPopover] = useState<Popover | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // A card that is gone takes its popover with it.
  useEffect(() => {
    if (popover && !cardExists(popover.id)) setPopover(null);
  }, [popover, cardExists]);

  useEffect(() => () => clearTimeout(timer.current), []);

  const close = useCallback((returnFocus: boolean) => {
    clearTimeout(timer.current);
    setPopover((open) => {
      if (open && returnFocus && open.via !== 'hover') open.anchor.focus({ preventScroll: true });
      return null;
    });
  }, []);

  const open = useCallback((id: string, via: PopoverVia, anchor: HTMLElement) => {
    clearTimeout(timer.current);
    setPopover({ id, via, anchor });
  }, []);

  const hover = (id: string, anchor: HTMLElement) => {
    clearTimeout(timer.current);
    if (busy()) return;
    if (popover && popover.via !== 'hover') return;
    timer.current = setTimeout(() => setPopover({ id, via: 'hover', anchor }), popover ? 0 : 250);
  };

  const unhover = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setPopover((now) => (now?.via === 'hover' ? null : now)), 200);
  };

  /** The pointer is over the popover itself: it stays. */
  const hold = () => clearTimeout(timer.current);

  return { popover, open, close, hover, unhover, hold };
}
