import type { ReactNode } from 'react';

/** One column of a DataTable. */
export interface Column<T> {
  /** The header; also the cell's label when a narrow screen stacks the rows (`data-label`). */
  header: string;
  cell: (row: T) => ReactNode;
  /** Classes of the cells (`strong`, `mono small` ...). */
  className?: string;
  /** Hidden on narrow screens, for columns a phone can do without. */
  wide?: boolean;
  /** A tooltip on the header. */
  title?: string;
  /** A tooltip on each cell. */
  cellTitle?: (row: T) => string | undefined;
}

function classes(...names: (string | false | undefined)[]): string | undefined {
  return names.filter(Boolean).join(' ') || undefined;
}

/**
 * The list table every page uses: a header row, one row per item, an optional last column of action buttons,
 * and (with `stack`) rows that become labelled cards on a narrow screen.
 */
export function DataTable<T>({
  rows,
  rowKey,
  columns,
  actions,
  stack = true,
}: {
  rows: T[];
  rowKey: (row: T) => string;
  columns: Column<T>[];
  actions?: (row: T) => ReactNode;
  stack?: boolean;
}) {
  return (
    <div className="table-wrap">
      <table className={classes('table', stack && 'table-stack')}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" className={classes(c.wide && 'hide-narrow')} title={c.title}>
                {c.header}
              </th>
            ))}
            {actions && (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.header} data-label={c.header} className={classes(c.className, c.wide && 'hide-narrow')} title={c.cellTitle?.(row)}>
                  {c.cell(row)}
                </td>
              ))}
              {actions && <td className="actions-cell">{actions(row)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A cell's text with a quiet second line under it (a description, an owner, a schedule) when there is one. */
export function WithNote({ note, children }: { note: ReactNode; children: ReactNode }) {
  return (
    <>
      {children}
      {note && <div className="muted small">{note}</div>}
    </>
  );
}
