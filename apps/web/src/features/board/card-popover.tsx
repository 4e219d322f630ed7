import { type CSSProperties, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Author, CardInfo } from './card-info';

/** How a popover was opened: by hover it is a tooltip; by tap or keyboard a dialog that takes focus. */
export type PopoverVia = 'hover' | 'tap' | 'keyboard';

/**
 * A card's details beside it (a sheet at the bottom of a phone's screen): a non-modal dialog,
 * named by the card's text. Opened by keyboard or tap it takes focus, Escape or Close closes it
 * and focus goes back to the card; opened by hover it leaves focus alone and closes when the
 * pointer leaves both card and popover.
 */
export function CardPopover({
  info,
  via,
  anchor,
  container,
  onClose,
  onPointerEnter,
  onPointerLeave,
  onEdit,
}: {
  info: CardInfo;
  via: PopoverVia;
  /** The card's element, to sit beside and to give focus back to. */
  anchor: HTMLElement | null;
  /** The element the popover is positioned in (the board section). */
  container: HTMLElement | null;
  onClose: (returnFocus: boolean) => void;
  onPointerEnter: () => void;
  onPointerLeave: () => void;
  /** Given for this person's own note: an "Edit" button (a phone has no double-click). */
  onEdit?: () => void;
}) {
  const { t } = useTranslation('board');
  const titleId = useId();
  const panel = useRef<HTMLDivElement>(null);
  /** Null until placed: it shows (and takes focus) only once it sits beside its card. */
  const [style, setStyle] = useState<CSSProperties | null>(null);

  useLayoutEffect(() => {
    const element = panel.current;
    if (!element || !anchor || !container) return;
    const height = element.offsetHeight;
    // A phone shows the details as a sheet along the bottom of the screen (board.css).
    // i18n-ignore: a CSS query, not text
    if (window.matchMedia('(max-width: 40rem)').matches) {
      setStyle({});
      // The page scrolls so the card stays in sight above the sheet.
      const sheetTop = window.innerHeight - height;
      const card = anchor.getBoundingClientRect();
      if (via !== 'hover' && card.bottom > sheetTop - 8) window.scrollBy({ top: card.bottom - sheetTop + 8 });
      return;
    }
    const box = container.getBoundingClientRect();
    const card = anchor.getBoundingClientRect();
    const width = element.offsetWidth;
    const gap = 8;
    // Right of the card if it fits, else left of it, else below it; always inside the section.
    let left = card.right - box.left + gap;
    if (left + width > box.width) left = card.left - box.left - gap - width;
    let top = card.top - box.top;
    if (left < 0) {
      left = Math.min(Math.max(0, card.left - box.left), Math.max(0, box.width - width));
      top = card.bottom - box.top + gap;
    }
    top = Math.max(0, Math.min(top, box.height - height));
    setStyle({ left, top });
  }, [anchor, container, via]);

  const placed = style !== null;
  useEffect(() => {
    if (placed && via !== 'hover') panel.current?.focus({ preventScroll: true });
  }, [placed, via]);

  // A dialog closes when one presses anywhere else on the page (the board's own presses close it too).
  useEffect(() => {
    if (via === 'hover') return undefined;
    const onPress = (event: PointerEvent) => {
      const target = event.target as Node | null;
      if (target && !panel.current?.contains(target) && !anchor?.contains(target)) onClose(false);
    };
    document.addEventListener('pointerdown', onPress);
    return () => document.removeEventListener('pointerdown', onPress);
  }, [via, anchor, onClose]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        onClose(true);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <div
      ref={panel}
      className={`card-popover via-${via}`}
      role="dialog"
      aria-modal="false"
      aria-labelledby={titleId}
      tabIndex={-1}
      style={style ?? { visibility: 'hidden' }}
      data-testid="card-popover"
      onPointerEnter={onPointerEnter}
      onPointerLeave={onPointerLeave}
      onPointerDown={(e) => e.stopPropagation()}
      onBlur={(e) => {
        // Focus gone elsewhere (not inside, not back on the card): the dialog closes.
        const next = e.relatedTarget as Node | null;
        if (via !== 'hover' && next && !e.currentTarget.contains(next) && next !== anchor) onClose(false);
      }}
    >
      <div className="card-popover-head">
        <p className="card-popover-kind">{t(`popover.kind.${kindKey(info)}`)}</p>
        <button type="button" className="card-popover-close" onClick={() => onClose(true)}>
          {t('popover.close')}
        </button>
      </div>
      <h3 id={titleId} dir="auto">
        {info.text}
      </h3>
      <Details info={info} />
      {onEdit && (
        <button type="button" className="card-popover-edit" onClick={onEdit}>
          {t('popover.edit')}
        </button>
      )}
    </div>
  );
}

const kindKey = (info: CardInfo) => (info.type === 'note' && info.isComment ? 'comment' : info.type);

function AuthorLine({ author }: { author: Author }) {
  const { t } = useTranslation('board');
  switch (author.type) {
    case 'person':
      return (
        <>
          {t('popover.writtenBy')} <bdi>{author.name}</bdi>
        </>
      );
    case 'moderator':
      return <>{t('popover.byModerator')}</>;
    case 'study':
      return <>{t('popover.byStudy')}</>;
    case 'unknown':
      return <>{t('popover.unknownAuthor')}</>;
  }
}

/** "for: warm, caring · against: cold": a focused-coding attribute's codes by sign. */
function SignedCodes({ codes }: { codes: readonly { text: string; sign: 1 | -1 }[] }) {
  const { t } = useTranslation('board');
  const side = (sign: 1 | -1) =>
    codes
      .filter((c) => c.sign === sign)
      .map((c) => c.text)
      .join(', ');
  const parts = [
    side(1) && t('popover.codeFor', { codes: side(1) }),
    side(-1) && t('popover.codeAgainst', { codes: side(-1) }),
  ].filter(Boolean);
  return <>{parts.join(' · ')}</>;
}

function Details({ info }: { info: CardInfo }) {
  const { t } = useTranslation('board');
  if (info.type === 'attribute') {
    return (
      <dl className="card-popover-facts">
        <dt>{t('popover.definition')}</dt>
        <dd dir="auto">{info.definition || t('popover.noDefinition')}</dd>
        <dt>{t('popover.source')}</dt>
        <dd>
          <AuthorLine author={info.author} />
          {info.rank !== null && <> · {t('popover.rank', { rank: info.rank })}</>}
          {info.codes && <> · {t('popover.fromReflect')}</>}
        </dd>
        {info.codes && info.codes.length > 0 && (
          <>
            <dt>{t('popover.codes')}</dt>
            <dd dir="auto">
              <SignedCodes codes={info.codes} />
            </dd>
          </>
        )}
      </dl>
    );
  }
  if (info.type === 'note') {
    return (
      <dl className="card-popover-facts">
        {info.isComment && (
          <>
            <dt>{t('popover.commentOn')}</dt>
            <dd dir="auto">{info.commentOn ?? t('popover.commentOnGone')}</dd>
          </>
        )}
        <dt>{t('popover.source')}</dt>
        <dd>
          <AuthorLine author={info.author} />
        </dd>
      </dl>
    );
  }
  const { interaction } = info;
  return (
    <dl className="card-popover-facts">
      <dt>{t('popover.annotation')}</dt>
      <dd dir="auto">{info.annotation || t('popover.noAnnotation')}</dd>
      <dt>{t('popover.source')}</dt>
      <dd>
        <AuthorLine author={info.author} />
        {info.stage && <> · {t(`popover.stage.${info.stage}`)}</>}
        {' · '}
        {interaction
          ? t(interaction.baseline ? 'popover.interactionBaseline' : 'popover.interaction', {
              number: interaction.number,
            })
          : t(info.interactionMissing ? 'popover.interactionMissing' : 'popover.noInteraction')}
      </dd>
      {interaction && (
        <>
          <dt>{t('popover.prompt')}</dt>
          {interaction.prompt.length > 0 ? (
            interaction.prompt.map((turn, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the turns of one prompt, in order, never reordered
              <dd key={i} dir="auto" className="card-popover-message">
                {turn}
              </dd>
            ))
          ) : (
            <dd className="card-popover-missing">{t('popover.noPrompt')}</dd>
          )}
          <dt>{t('popover.response')}</dt>
          <dd dir="auto" className="card-popover-message" data-testid="card-popover-response">
            {interaction.response}
          </dd>
        </>
      )}
    </dl>
  );
}
