import { type ReactNode, useState } from 'react';
import type { Listing } from '../api/client';
import { useCollection } from '../api/queries';
import { ActionDialog } from './ActionDialog';
import { type Column, DataTable } from './DataTable';
import { Fieldset } from './fields';
import { FormActions, FormErrors, type FormKit } from './form-kit';
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

/** The deletion of one item: the dialog's title and text, and the notice once done. */
export interface Deletion {
  title: string;
  text: string;
  done: string;
}

/** What an editor gets: the current list (to check names against), `saved` (closes it, reloads, shows the notice), `cancel`. */
export interface EditorContext<T> {
  list: T[];
  saved: (notice: string | null) => void;
  cancel: () => void;
}

/**
 * The scaffold of a list page of a REST collection with an inline editor: a notice line, a "New …" button, the
 * editor (an InlineForm) for a new or an existing item, the table or an empty state, and a confirmed delete. A 404
 * on the list read says the server does not offer the collection.
 */
export function ResourceList<T>({
  page,
  listing,
  what,
  newLabel,
  editor,
  empty,
  columns,
  actions,
  deletion,
  banner,
  children,
}: {
  page: ListPage<T>;
  listing: Listing<T>;
  /** What the page manages, as "… is not available on this server" names it. */
  what: string;
  newLabel?: string;
  editor?: (item: T | null, context: EditorContext<T>) => ReactNode;
  empty: ReactNode;
  columns: Column<T>[];
  /** The buttons of a row (EditDeleteButtons, …). */
  actions?: (item: T) => ReactNode;
  deletion?: (item: T) => Deletion;
  /** Shown above the list (e.g. a secret to copy once). */
  banner?: ReactNode;
  /** More dialogs of the page. */
  children?: ReactNode;
}) {
  const state = useCollection(listing);
  if (isNotFound(state.error)) return <NotAvailable what={what} endpoint={listing.endpoint} />;
  const item = page.deleting;
  const deleting = item !== null && deletion ? deletion(item) : null;
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
            {list.length === 0 ? empty : <DataTable rows={list} rowKey={(i) => listing.keyOf(i)} columns={columns} actions={actions} />}
          </>
        )}
      </AsyncView>
      {item !== null && deleting && (
        <ActionDialog
          title={deleting.title}
          run={() => listing.remove(item)}
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

/** A row's Edit and Delete buttons, the page's own buttons between them; `locked` disables both, `editLocked` Edit. */
export function EditDeleteButtons<T>({ page, item, locked, editLocked = locked, children }: { page: ListPage<T>; item: T; locked?: boolean; editLocked?: boolean; children?: ReactNode }) {
  return (
    <>
      <button type="button" className="btn btn-small" disabled={editLocked} onClick={() => page.edit(item)}>
        Edit
      </button>
      {children}
      <button type="button" className="btn btn-small btn-danger-quiet" disabled={locked} onClick={() => page.remove(item)}>
        Delete
      </button>
    </>
  );
}

/** The frame of an editor on a list page: a fieldset named `title`, the form's errors first, submit and Cancel last. */
export function InlineForm({
  title,
  description,
  kit,
  submitLabel,
  busyLabel,
  onCancel,
  children,
}: {
  title: string;
  description?: ReactNode;
  kit: Pick<FormKit<unknown>, 'errors' | 'general' | 'busy' | 'submit'>;
  submitLabel: string;
  busyLabel?: string;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <form className="inline-form" onSubmit={kit.submit} noValidate aria-label={title}>
      <Fieldset legend={title} description={description}>
        <FormErrors errors={kit.errors} general={kit.general} />
        {children}
        <FormActions busy={kit.busy} submitLabel={submitLabel} busyLabel={busyLabel} onCancel={onCancel} />
      </Fieldset>
    </form>
  );
}
