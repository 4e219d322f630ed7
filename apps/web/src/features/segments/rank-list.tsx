import { type ReactNode, useState } from 'react';

/**
 * A list people put in order: drag an item onto another's place, or use its ↑ ↓ buttons (the
 * keyboard way). `onChange` gets the new order.
 */
export function RankList<T extends { key: string }>({
  items,
  onChange,
  render,
  label,
}: {
  items: T[];
  onChange: (items: T[]) => void;
  render: (item: T, index: number) => ReactNode;
  label: string;
}) {
  const [dragged, setDragged] = useState<string | null>(null);
  const move = (from: number, to: number) => {
    if (to < 0 || to >= items.length || from === to) return;
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
          draggable
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
              disabled={index === 0}
              aria-label={`Move item ${index + 1} up`}
            >
              ↑
            </button>
            <button
              type="button"
              onClick={() => move(index, index + 1)}
              disabled={index === items.length - 1}
              aria-label={`Move item ${index + 1} down`}
            >
              ↓
            </button>
          </span>
        </li>
      ))}
    </ol>
  );
}
