import type { RepositorySummary } from '@wharf/api-types';
import { useApi } from '../api/context';
import { useApiQuery } from '../api/queries';
import { ActionDialog } from '../components/ActionDialog';
import { Link, routePath } from '../components/router';

/** The groups that list `name` as a member (each group's configuration is read). */
export async function groupsContaining(
  name: string,
  repositories: RepositorySummary[],
  load: (group: string) => Promise<{ group: { memberNames: string[] } }>,
): Promise<string[]> {
  const groups = repositories.filter((r) => r.type === 'group' && r.name !== name);
  const configs = await Promise.all(groups.map(async (g) => ({ name: g.name, members: (await load(g.name)).group.memberNames })));
  return configs.filter((g) => g.members.includes(name)).map((g) => g.name);
}

/** Confirms a repository deletion, naming the groups that include it (the server refuses to delete a group member). */
export function DeleteRepositoryDialog({
  repository,
  repositories,
  onDeleted,
  onCancel,
}: {
  repository: RepositorySummary;
  repositories: RepositorySummary[];
  onDeleted: () => void;
  onCancel: () => void;
}) {
  const api = useApi();
  const groups = useApiQuery(['groups-containing', repository.name, repositories], () =>
    groupsContaining(repository.name, repositories, (g) => api.getRepository('group', g)),
  );
  const memberOf = groups.data ?? [];

  return (
    <ActionDialog
      title={`Delete ${repository.name}?`}
      confirmLabel={`Delete ${repository.name}`}
      confirmDisabled={groups.loading || memberOf.length > 0}
      run={() => api.deleteRepository(repository.name)}
      onDone={onDeleted}
      onFailed={groups.reload}
      onCancel={onCancel}
    >
      <p>
        This deletes the {repository.type} repository <strong>{repository.name}</strong>
        {repository.type === 'group' ? ' (its members and their images stay)' : ' and its images'}
        {typeof (repository.attributes?.docker as { httpPort?: unknown } | undefined)?.httpPort === 'number' ? ', and closes its connector port' : ''}. It
        cannot be undone.
      </p>
      {groups.loading && <p className="muted">Checking which groups include it…</p>}
      {groups.error !== undefined && <p className="muted">Could not check which groups include it; the server refuses the deletion if any does.</p>}
      {memberOf.length > 0 && (
        <div className="callout callout-warn">
          <p>
            It is a member of {memberOf.length === 1 ? 'the group' : 'the groups'}{' '}
            {memberOf.map((g, i) => (
              <span key={g}>
                {i > 0 && ', '}
                <Link to={routePath('repositories', 'group', g)} onClick={onCancel}>
                  {g}
                </Link>
              </span>
            ))}
            . Remove it from {memberOf.length === 1 ? 'that group' : 'those groups'} first; Wharf does not delete a repository a group still uses.
          </p>
        </div>
      )}
    </ActionDialog>
  );
}
