import { useState } from 'react';
import type { RealmJson } from '@wharf/api-types';
import { useApi } from '../api/context';
import { useAction, useApiQuery } from '../api/queries';
import { isApiError } from '../api/errors';
import { OrderButtons, moved } from '../components/OrderButtons';
import { AsyncView, ErrorBox, NotAvailable, isNotFound } from '../components/states';

/** The realms Wharf is known to offer, for servers without `GET /realms/available`. */
const KNOWN_REALMS: RealmJson[] = [
  { id: 'NexusAuthenticatingRealm', name: 'Local Authenticating Realm' },
  { id: 'DockerToken', name: 'Docker Bearer Token Realm' },
];

const REALM_HELP: Record<string, string> = {
  NexusAuthenticatingRealm: 'Users and passwords stored in Wharf.',
  DockerToken: 'Bearer tokens from /v2/token, as docker login negotiates them.',
};

/** Active realms, in the order they are asked. */
export function Realms() {
  const api = useApi();
  const state = useApiQuery(['realms'], async () => {
    const active = await api.getActiveRealms();
    const available = await api.getAvailableRealms().catch((err: unknown) => {
      if (isApiError(err) && err.status === 404) return KNOWN_REALMS;
      throw err;
    });
    return { active, available };
  });
  const [draft, setDraft] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useAction(
    (active: string[]) => api.setActiveRealms(active),
    (_, active) => {
      state.setData({ active, available: state.data?.available ?? [] });
      setDraft(null);
      setSaved(true);
    },
  );

  if (isNotFound(state.error)) return <NotAvailable what="Realm settings" endpoint="GET /service/rest/v1/security/realms/active" />;
  return (
    <AsyncView state={state}>
      {({ active, available }) => {
        const current = draft ?? active;
        const all = [...available, ...current.filter((id) => !available.some((a) => a.id === id)).map((id) => ({ id, name: id }))];
        const inactive = all.filter((r) => !current.includes(r.id));
        const nameOf = (id: string) => all.find((r) => r.id === id)?.name ?? id;
        const update = (next: string[]) => {
          setDraft(next);
          setSaved(false);
        };
        return (
          <div className="card">
            <h2>Active realms, in order</h2>
            <p className="muted">A request is authenticated by the first realm that accepts it.</p>
            {current.length === 0 ? (
              <p className="callout callout-warn">No active realm: nobody can sign in. Activate the local realm.</p>
            ) : (
              <ol className="member-list">
                {current.map((id, i) => (
                  <li key={id} className="member-row">
                    <span className="member-pos">{i + 1}</span>
                    <span className="member-name">
                      {nameOf(id)} <span className="muted small mono">{id}</span>
                      {REALM_HELP[id] && <span className="help">{REALM_HELP[id]}</span>}
                    </span>
                    <OrderButtons index={i} count={current.length} name={id} onMove={(by) => update(moved(current, i, by))}>
                      <button type="button" className="btn btn-small" onClick={() => update(current.filter((r) => r !== id))}>
                        Deactivate
                      </button>
                    </OrderButtons>
                  </li>
                ))}
              </ol>
            )}
            {inactive.length > 0 && (
              <>
                <h3>Available</h3>
                <ul className="member-list">
                  {inactive.map((r) => (
                    <li key={r.id} className="member-row">
                      <span className="member-name">
                        {r.name} <span className="muted small mono">{r.id}</span>
                        {REALM_HELP[r.id] && <span className="help">{REALM_HELP[r.id]}</span>}
                      </span>
                      <button type="button" className="btn btn-small" onClick={() => update([...current, r.id])}>
                        Activate
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {save.error !== undefined && <ErrorBox error={save.error} title="Not saved:" />}
            {saved && (
              <p className="notice" role="status">
                Realms saved.
              </p>
            )}
            <div className="form-actions">
              <button type="button" className="btn btn-primary" disabled={save.busy || draft === null} onClick={() => save.run(current)}>
                {save.busy ? 'Saving…' : 'Save realms'}
              </button>
              <button type="button" className="btn" disabled={save.busy || draft === null} onClick={() => setDraft(null)}>
                Undo changes
              </button>
            </div>
          </div>
        );
      }}
    </AsyncView>
  );
}
