import type { ReactNode } from 'react';
import { ApiError, describeError } from '../api/errors';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorBox({ error, title, onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <div>
        {title && <strong>{title} </strong>}
        {describeError(error)}
      </div>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children && <div className="muted">{children}</div>}
      {action && <div className="state-action">{action}</div>}
    </div>
  );
}

/** For REST endpoints this server does not offer (yet): 404 on a known path. */
export function NotAvailable({ what, endpoint }: { what: string; endpoint: string }) {
  return (
    <div className="state state-unavailable" role="note">
      <p className="state-title">{what} is not available on this server</p>
      <p className="muted">
        The server answered 404 to <code>{endpoint}</code>. This page works once the server offers that endpoint; nothing is wrong with your
        setup.
      </p>
    </div>
  );
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** The common trio: spinner while loading, an error with Retry, otherwise the content. */
export function AsyncView<T>({
  state,
  children,
  loadingLabel,
}: {
  state: { data: T | undefined; error: unknown; loading: boolean; reload: () => void };
  children: (data: T) => ReactNode;
  loadingLabel?: string;
}) {
  if (state.data === undefined && state.error !== undefined) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (state.data === undefined) return <Loading {...(loadingLabel ? { label: loadingLabel } : {})} />;
  return (
    <>
      {state.error !== undefined && <ErrorBox error={state.error} title="Refresh failed:" onRetry={state.reload} />}
      {children(state.data)}
    </>
  );
}

/** A short success message after an action (announced to screen readers); renders nothing without text. */
export function Notice({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p className="notice" role="status">
      {text}
    </p>
  );
}
