import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A list people put in order: drag an item onto another's place, or use its ↑ ↓ buttons (the
 * keyboard way). `onChange` gets the new order.
 */
export function RankList<T extends { key: string }>({
  items,
  onChange,
  render,
  label,
  disabled = false,
}: {
  items: T[];
  onChange: (items: T[]) => void;
  render: (item: T, index: number) => ReactNode;
  label: string;
  disabled?: boolean;
}) {
  const { t } = useTranslation('segments');
  const [dragged, setDragged] = useState<string | null>(null);
  const move = (from: number, to: number) => {
    if (disabled || to < 0 || to >= items.length || from === to) return;
    const next = [...items];
    const [item] = next.splice(from, 1);
    if (item) next.splice(to, 0, item);
    onChange(next);
  };
  return (
    <ol className="rank-list" aria-label={label}>
      {items.map((item, index) => (
        <li
          key={item.key}
          draggable={!disabled}
          onDragStart={() => setDragged(item.key)}
          onDragOver={(event) => event.preventDefault()}
          onDrop={() => {
            const from = items.findIndex((i) => i.key === dragged);
            if (from >= 0) move(from, index);
            setDragged(null);
          }}
          className={dragged === item.key ? 'dragging' : undefined}
        >
          <span className="rank" aria-hidden="true">
            {index + 1}
          </span>
          <div className="rank-body">{render(item, index)}</div>
          <span className="rank-buttons">
            <button
              type="button"
              onClick={() => move(index, index - 1)}
              disabled={disabled || index === 0}
              aria-label={t('rank.up', { n: index + 1 })}
            >
              ↑
            </button>
            <button
              type="button"
              onClick={() => move(index, index + 1)}
              disabled={disabled || index === items.length - 1}
              aria-label={t('rank.down', { n: index + 1 })}
            >
              ↓
            </button>
          </span>
        </li>
      ))}
    </ol>
  );
}
