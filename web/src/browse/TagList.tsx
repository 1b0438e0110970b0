import { useState } from 'react';
import { type ComponentJson, type RepositorySummary, isIndexMediaType } from '@wharf/api-types';
import { useRepository } from '../api/queries';
import { mediaTypeLabel } from '../api/oci';
import { CopyButton } from '../components/CopyButton';
import { DataTable } from '../components/DataTable';
import { formatBytes, plural, shortDigest } from '../components/format';
import { Link, routePath } from '../components/router';
import { AsyncView, EmptyState, ErrorBox, Loading, Notice } from '../components/states';
import { PageHeader, Time } from '../components/ui';
import { pullCommand } from '../repositories/model';
import { DeleteReferenceDialog, deleteVerb } from './DeleteReference';
import { BrowseCrumbs, FilterBar, digestOf } from './shared';
import { useComponents } from './useComponents';

/** `#/browse/<repo>/<image>`: the tags of one image. */
export function TagList({ repository, image }: { repository: string; image: string }) {
  const summary = useRepository(repository);
  const components = useComponents(repository, 'all');
  const [filter, setFilter] = useState('');
  const [deleting, setDeleting] = useState<ComponentJson | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const tags = components.items
    .filter((c) => c.name === image)
    .sort((a, b) => Date.parse(b.assets[0]?.lastModified ?? '') - Date.parse(a.assets[0]?.lastModified ?? '') || a.version.localeCompare(b.version));
  const needle = filter.trim().toLowerCase();
  const shown = needle ? tags.filter((t) => t.version.toLowerCase().includes(needle) || (digestOf(t) ?? '').includes(needle)) : tags;

  return (
    <section>
      <PageHeader crumbs={<BrowseCrumbs repository={repository} image={image} />} title={image} subtitle={`in ${repository}`} />
      <Notice text={notice} />
      <AsyncView state={summary}>
        {(repo) => (
          <>
            <FilterBar id="tag-filter" label="Filter tags" placeholder="Filter by tag or digest" value={filter} onChange={setFilter}>
              {plural(tags.length, 'tag')}
              {components.loading && tags.length > 0 ? ' (still loading)' : ''}
            </FilterBar>
            {components.error !== undefined && <ErrorBox error={components.error} onRetry={components.refresh} />}
            {components.loading && tags.length === 0 && <Loading label="Loading tags…" />}
            {!components.loading && components.error === undefined && tags.length === 0 && (
              <EmptyState title={`No tags of ${image} in ${repository}`}>It may have been deleted, or it was never pushed or pulled here.</EmptyState>
            )}
            {shown.length > 0 && <TagTable repository={repo} image={image} tags={shown} onDelete={setDeleting} />}
            {deleting && (
              <DeleteReferenceDialog
                repository={repo}
                image={image}
                reference={deleting.version}
                onCancel={() => setDeleting(null)}
                onDone={() => {
                  setNotice(`${deleteVerb(repo.type, 'past')} ${image}:${deleting.version}.`);
                  setDeleting(null);
                  components.refresh();
                }}
              />
            )}
          </>
        )}
      </AsyncView>
    </section>
  );
}

export function TagTable({
  repository,
  image,
  tags,
  onDelete,
}: {
  repository: RepositorySummary;
  image: string;
  tags: ComponentJson[];
  onDelete: (tag: ComponentJson) => void;
}) {
  return (
    <DataTable
      rows={tags}
      rowKey={(tag) => tag.id}
      columns={[
        {
          header: 'Tag',
          cell: (tag) => (
            // A tag a group does not serve (an earlier member has it too) opens in its own member.
            <Link className="strong" to={routePath('browse', isShadowed(tag) ? tag.repository : repository.name, image, tag.version)}>
              {tag.version}
            </Link>
          ),
        },
        ...(repository.type === 'group'
          ? [{ header: 'Member', className: 'small', cell: (tag: ComponentJson) => <MemberCell tag={tag} /> }]
          : []),
        { header: 'Digest', className: 'mono small', cellTitle: (tag) => digestOf(tag) ?? undefined, cell: (tag) => {
          const digest = digestOf(tag);
          return digest ? shortDigest(digest) : '—';
        } },
        { header: 'Kind', wide: true, className: 'small', cell: (tag) => kindOf(tag.assets[0]?.contentType) },
        {
          header: 'Manifest size',
          wide: true,
          title: 'Size of the manifest document itself; open the tag for the layer sizes',
          cell: (tag) => formatBytes(tag.assets[0]?.fileSize),
        },
        { header: 'Last modified', cell: (tag) => <Time iso={tag.assets[0]?.lastModified} /> },
        { header: 'Last downloaded', wide: true, cell: (tag) => <Time iso={tag.assets[0]?.lastDownloaded} empty="never" /> },
      ]}
      actions={(tag) => (
        <>
          <CopyButton text={pullCommand(repository, image, tag.version)} label="Copy pull" />
          {repository.type !== 'group' && (
            <button type="button" className="btn btn-small btn-danger-quiet" onClick={() => onDelete(tag)} aria-label={`${deleteVerb(repository.type)} ${tag.version}`}>
              {deleteVerb(repository.type)}
            </button>
          )}
        </>
      )}
    />
  );
}

/** In a group's listing: a tag an earlier member also holds, so a pull through the group gets that member's. */
export function isShadowed(tag: ComponentJson): boolean {
  return tag.servedBy !== undefined && tag.servedBy !== tag.repository;
}

/** Which member holds the tag, and whether the group serves it from there. */
function MemberCell({ tag }: { tag: ComponentJson }) {
  return (
    <>
      <Link to={routePath('browse', tag.repository, tag.name)}>{tag.repository}</Link>{' '}
      {isShadowed(tag) ? (
        <span className="cell-note" title={`A pull through the group gets ${tag.servedBy}'s ${tag.name}:${tag.version}: it comes earlier in the member order.`}>
          shadowed by {tag.servedBy}
        </span>
      ) : (
        tag.servedBy !== undefined && <span className="cell-note">served by the group</span>
      )}
    </>
  );
}

function kindOf(contentType: string | undefined): string {
  if (contentType === undefined) return '—';
  return isIndexMediaType(contentType) ? 'multi-platform' : mediaTypeLabel(contentType);
}
