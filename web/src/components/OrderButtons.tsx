import type { ReactNode } from 'react';

/** `list` with the item at `index` moved `by` places (-1 up, 1 down). */
export function moved<T>(list: readonly T[], index: number, by: number): T[] {
  const next = [...list];
  const [item] = next.splice(index, 1);
  next.splice(index + by, 0, item!);
  return next;
}

/** The buttons of one entry of an ordered list: up, down, and remove (a ✕, or `children` instead). */
export function OrderButtons({
  index,
  count,
  name,
  onMove,
  onRemove,
  children,
}: {
  index: number;
  count: number;
  /** What the entry is called in the buttons' labels ("Move <name> up"). */
  name: string;
  onMove: (by: number) => void;
  onRemove?: () => void;
  children?: ReactNode;
}) {
  return (
    <span className="row-buttons">
      <button type="button" className="btn btn-icon" aria-label={`Move ${name} up`} disabled={index === 0} onClick={() => onMove(-1)}>
        ↑
      </button>
      <button type="button" className="btn btn-icon" aria-label={`Move ${name} down`} disabled={index === count - 1} onClick={() => onMove(1)}>
        ↓
      </button>
      {onRemove && (
        <button type="button" className="btn btn-icon" aria-label={`Remove ${name}`} onClick={onRemove}>
          ✕
        </button>
      )}
      {children}
    </span>
  );
}
