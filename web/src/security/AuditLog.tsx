import type { AuditEventJson } from '@wharf/api-types';
import { useState } from 'react';
import { useApi } from '../api/context';
import { useAction, useApiQuery } from '../api/queries';
import { DataTable } from '../components/DataTable';
import { formatDateTime } from '../components/format';
import { AsyncView, EmptyState, ErrorBox, NotAvailable, isNotFound } from '../components/states';

/** Events per page. */
export const AUDIT_PAGE = 50;

/** The audit log (`GET /service/rest/v1/audit`): who changed what, newest first, a page at a time. */
export function AuditLog() {
  const api = useApi();
  const first = useApiQuery(['audit'], () => api.listAudit(AUDIT_PAGE));
  // Pages after the first, appended as "Load more" asks for them.
  const [older, setOlder] = useState<{ items: AuditEventJson[]; next: number | null } | null>(null);
  const more = useAction(
    (before: number) => api.listAudit(AUDIT_PAGE, before),
    (page) => setOlder((current) => ({ items: [...(current?.items ?? []), ...page.items], next: page.nextBefore })),
  );

  if (isNotFound(first.error)) return <NotAvailable what="The audit log" endpoint="GET /service/rest/v1/audit" />;
  return (
    <AsyncView state={first} loadingLabel="Loading the audit log…">
      {(page) => {
        const items = [...page.items, ...(older?.items ?? [])];
        const next = older ? older.next : page.nextBefore;
        if (items.length === 0) return <EmptyState title="No events yet">Security and repository changes, deletions and failed sign-ins are recorded here.</EmptyState>;
        return (
          <>
            <DataTable
              rows={items}
              rowKey={(e) => String(e.id)}
              columns={[
                { header: 'Time', className: 'nowrap', cell: (e) => formatDateTime(e.timestamp) },
                { header: 'User', cell: (e) => e.actor ?? <span className="muted">none</span> },
                { header: 'Action', className: 'mono small', cell: (e) => e.action },
                { header: 'Target', className: 'mono small', cell: (e) => e.target ?? '' },
                { header: 'Address', wide: true, className: 'mono small', cell: (e) => e.address ?? '' },
                { header: 'Details', wide: true, className: 'mono small break', cell: (e) => (Object.keys(e.details).length > 0 ? JSON.stringify(e.details) : '') },
              ]}
            />
            {more.error !== undefined && <ErrorBox error={more.error} title="The next page did not load:" />}
            {next !== null && (
              <div className="load-more">
                <button type="button" className="btn" disabled={more.busy} onClick={() => more.run(next)}>
                  {more.busy ? 'Loading…' : 'Load more'}
                </button>
              </div>
            )}
          </>
        );
      }}
    </AsyncView>
  );
}
