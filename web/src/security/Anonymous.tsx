import type { AnonymousSettingsJson } from '@wharf/api-types';
import { useApi } from '../api/context';
import { useAction, useApiQuery } from '../api/queries';
import { AsyncView, ErrorBox, NotAvailable, isNotFound } from '../components/states';

/** The anonymous-access switch: when on, clients without credentials may pull where `forceBasicAuth` is off. */
export function AnonymousAccess() {
  const api = useApi();
  const state = useApiQuery(['anonymous'], () => api.getAnonymous());
  const toggle = useAction(
    (next: AnonymousSettingsJson) => api.setAnonymous(next),
    (saved, next) => state.setData(saved ?? next),
  );
  const busy = toggle.busy;

  if (isNotFound(state.error)) return <NotAvailable what="Anonymous access" endpoint="GET /service/rest/v1/security/anonymous" />;
  return (
    <AsyncView state={state}>
      {(settings) => (
        <div className="card">
          <div className="switch-row">
            <button
              type="button"
              role="switch"
              aria-checked={settings.enabled}
              aria-labelledby="anon-label"
              aria-describedby="anon-help"
              className={`switch${settings.enabled ? ' switch-on' : ''}`}
              disabled={busy}
              onClick={() => toggle.run({ ...settings, enabled: !settings.enabled })}
            >
              <span className="switch-knob" />
            </button>
            <div>
              <p className="strong" id="anon-label">
                Allow anonymous pulls {busy ? '(saving…)' : settings.enabled ? '(on)' : '(off)'}
              </p>
              <p className="help" id="anon-help">
                When on, clients without credentials act as the user below: they may pull from repositories whose “Require authentication” is off,
                and read what that user may browse through the REST API (repository list, search, components). Anything else that user is not
                allowed (pushes, deletes, administration) still needs credentials; it can never be an administrator.
              </p>
            </div>
          </div>
          <dl className="facts">
            <dt>Acts as user</dt>
            <dd className="mono">{settings.userId}</dd>
            <dt>Realm</dt>
            <dd className="mono">{settings.realmName}</dd>
          </dl>
          {toggle.error !== undefined && <ErrorBox error={toggle.error} title="Not saved:" />}
        </div>
      )}
    </AsyncView>
  );
}
