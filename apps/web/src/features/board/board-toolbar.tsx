import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';

/**
 * The board's tools: the essentials (add a note, comment, zoom, fit) always in view, the rest
 * (group, undo, redo) behind "More" on a narrow screen and inline on a wide one. A read-only board
 * shows only the view tools (the notice above the board says why).
 */
export function BoardToolbar({
  readOnly,
  selectedCount,
  canUndo,
  canRedo,
  zoomPercent,
  onAddNote,
  onComment,
  onGroup,
  onUndo,
  onRedo,
  onZoomIn,
  onZoomOut,
  onFitAll,
}: {
  readOnly: boolean;
  selectedCount: number;
  canUndo: boolean;
  canRedo: boolean;
  zoomPercent: number;
  onAddNote: () => void;
  onComment: () => void;
  onGroup: (name: string) => void;
  onUndo: () => void;
  onRedo: () => void;
  onZoomIn: () => void;
  onZoomOut: () => void;
  onFitAll: () => void;
}) {
  const { t } = useTranslation('board');
  const [groupName, setGroupName] = useState('');
  const [moreOpen, setMoreOpen] = useState(false);
  const moreId = useId();
  const groupInputId = useId();
  const groupReason =
    selectedCount === 0 ? t('tools.groupNeedsCards') : groupName.trim() ? null : t('tools.groupNeedsName');

  return (
    <div className="board-toolbar" role="toolbar" aria-label={t('tools.label')}>
      {!readOnly && (
        <>
          <button type="button" onClick={onAddNote}>
            {t('tools.addNote')}
          </button>
          <ActionButton onClick={onComment} disabledReason={selectedCount === 1 ? null : t('tools.commentNeedsOne')}>
            {t('tools.comment')}
          </ActionButton>
          <button
            type="button"
            className="board-more-toggle"
            aria-expanded={moreOpen}
            aria-controls={moreId}
            onClick={() => setMoreOpen((open) => !open)}
          >
            {t('tools.more')}
          </button>
          <div id={moreId} className={`board-tools-more${moreOpen ? ' open' : ''}`}>
            <form
              className="inline-form"
              onSubmit={(event) => {
                event.preventDefault();
                if (groupReason) return;
                onGroup(groupName.trim());
                setGroupName('');
              }}
            >
              <label htmlFor={groupInputId} className="visually-hidden">
                {t('tools.groupLabel')}
              </label>
              <input
                id={groupInputId}
                dir="auto"
                placeholder={
                  selectedCount > 0
                    ? t('tools.groupPlaceholder', { count: selectedCount })
                    : t('tools.groupPlaceholderNone')
                }
                value={groupName}
                onChange={(e) => setGroupName(e.target.value)}
              />
              <ActionButton type="submit" disabledReason={groupReason}>
                {t('tools.group')}
              </ActionButton>
            </form>
            <ActionButton onClick={onUndo} disabledReason={canUndo ? null : t('tools.nothingToUndo')}>
              {t('tools.undo')}
            </ActionButton>
            <ActionButton onClick={onRedo} disabledReason={canRedo ? null : t('tools.nothingToRedo')}>
              {t('tools.redo')}
            </ActionButton>
          </div>
        </>
      )}
      <span className="spacer" />
      <span className="board-zoom">
        <button type="button" onClick={onZoomOut} aria-label={t('tools.zoomOut')}>
          −
        </button>
        <output aria-label={t('tools.zoom')} data-testid="board-zoom">
          {zoomPercent}%
        </output>
        <button type="button" onClick={onZoomIn} aria-label={t('tools.zoomIn')}>
          +
        </button>
      </span>
      <button type="button" onClick={onFitAll}>
        {t('tools.fitAll')}
      </button>
    </div>
  );
}
