import { type ReactNode, useState } from 'react';
import type { AsyncState } from '../api/queries';
import { ActionDialog } from './ActionDialog';
import { type Column, DataTable } from './DataTable';
import { AsyncView, NotAvailable, isNotFound, Notice } from './states';

/** What a list page remembers: the last message, the item being edited ('new' for a new one), the item to delete. */
export interface ListPage<T> {
  notice: string | null;
  say: (notice: string | null) => void;
  editing: T | 'new' | null;
  edit: (item: T | 'new' | null) => void;
  deleting: T | null;
  remove: (item: T | null) => void;
}

export function useListPage<T>(): ListPage<T> {
  const [notice, say] = useState<string | null>(null);
  const [editing, edit] = useState<T | 'new' | null>(null);
  const [deleting, remove] = useState<T | null>(null);
  return { notice, say, editing, edit, deleting, remove };
}

/** The deletion of one item: the dialog's title and text, the call, and the notice once done. */
export interface Deletion {
  title: string;
  text: string;
  run: () => Promise<unknown>;
  done: string;
}

/** What an editor gets: the current list (to check names against), `saved` (closes it, reloads, shows the notice), `cancel`. */
export interface EditorContext<T> {
  list: T[];
  saved: (notice: string | null) => void;
  cancel: () => void;
}

/**
 * The scaffold of a list page with an inline editor: a notice line, a "New …" button, the editor (a form from
 * form-kit) for a new or an existing item, the table or an empty state, and a confirmed delete. A 404 on the
 * list read says the server does not offer the endpoint.
 */
export function ResourceList<T>({
  page,
  state,
  unavailable,
  newLabel,
  editor,
  empty,
  columns,
  rowKey,
  actions,
  deletion,
  banner,
  children,
}: {
  page: ListPage<T>;
  state: AsyncState<T[]>;
  unavailable: { what: string; endpoint: string };
  newLabel?: string;
  editor?: (item: T | null, context: EditorContext<T>) => ReactNode;
  empty: ReactNode;
  columns: Column<T>[];
  rowKey: (item: T) => string;
  actions?: (item: T) => ReactNode;
  deletion?: (item: T) => Deletion;
  /** Shown above the list (e.g. a secret to copy once). */
  banner?: ReactNode;
  /** More dialogs of the page. */
  children?: ReactNode;
}) {
  if (isNotFound(state.error)) return <NotAvailable what={unavailable.what} endpoint={unavailable.endpoint} />;
  const deleting = page.deleting !== null && deletion ? deletion(page.deleting) : null;
  return (
    <>
      <Notice text={page.notice} />
      {banner}
      <AsyncView state={state}>
        {(list) => (
          <>
            {newLabel && (
              <div className="toolbar">
                <button type="button" className="btn btn-primary" onClick={() => page.edit('new')} disabled={page.editing !== null}>
                  {newLabel}
                </button>
              </div>
            )}
            {editor &&
              page.editing !== null &&
              editor(page.editing === 'new' ? null : page.editing, {
                list,
                cancel: () => page.edit(null),
                saved: (notice) => {
                  if (notice !== null) page.say(notice);
                  page.edit(null);
                  state.reload();
                },
              })}
            {list.length === 0 ? empty : <DataTable rows={list} rowKey={rowKey} columns={columns} actions={actions} />}
          </>
        )}
      </AsyncView>
      {deleting && (
        <ActionDialog
          title={deleting.title}
          run={deleting.run}
          onCancel={() => page.remove(null)}
          onDone={() => {
            page.say(deleting.done);
            page.remove(null);
            state.reload();
          }}
        >
          <p>{deleting.text}</p>
        </ActionDialog>
      )}
      {children}
    </>
  );
}
