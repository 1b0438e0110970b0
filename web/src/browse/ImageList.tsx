import { useState } from 'react';
import { useRepository } from '../api/queries';
import { DataTable } from '../components/DataTable';
import { formatCount, plural } from '../components/format';
import { Link, routePath } from '../components/router';
import { AsyncView, EmptyState, ErrorBox, Loading } from '../components/states';
import { PageHeader, Time, TypeBadge } from '../components/ui';
import { BrowseCrumbs, FilterBar } from './shared';
import { type ImageGroup, groupByImage, membersOf, useComponents } from './useComponents';

/** `#/browse/<repo>`: the images of a repository, grouped from its components, with a filter. */
export function ImageList({ repository }: { repository: string }) {
  const summary = useRepository(repository);
  const components = useComponents(repository, 'page');
  const [filter, setFilter] = useState('');
  const images = groupByImage(components.items);
  const needle = filter.trim().toLowerCase();
  const shown = needle ? images.filter((i) => i.name.toLowerCase().includes(needle) || i.tags.some((t) => t.version.toLowerCase().includes(needle))) : images;

  return (
    <section>
      <PageHeader
        crumbs={<BrowseCrumbs repository={repository} />}
        title={
          <>
            {repository} {summary.data && <TypeBadge type={summary.data.type} />}
          </>
        }
        subtitle={summary.data?.type === 'proxy' ? 'Images cached from the upstream so far.' : summary.data?.type === 'group' ? 'Images of the group.' : 'Images pushed here.'}
        actions={
          <button type="button" className="btn" onClick={components.refresh} disabled={components.loading}>
            Refresh
          </button>
        }
      />
      <AsyncView state={summary}>
        {() => (
          <>
            <FilterBar id="image-filter" label="Filter images" placeholder="Filter by image or tag" value={filter} onChange={setFilter}>
              {plural(shown.length, 'image')} · {plural(components.items.length, 'tag')} loaded{components.complete ? '' : ' so far'}
            </FilterBar>
            {components.error !== undefined && <ErrorBox error={components.error} onRetry={components.items.length ? components.loadMore : components.refresh} />}
            {components.loading && components.items.length === 0 && <Loading label="Loading images…" />}
            {!components.loading && components.error === undefined && components.items.length === 0 && (
              <EmptyState title="No images yet">
                {summary.data?.type === 'proxy'
                  ? 'A proxy shows an image once a client has pulled it through Wharf.'
                  : summary.data?.type === 'hosted'
                    ? 'Push an image to this repository to see it here.'
                    : 'Nothing to show.'}
              </EmptyState>
            )}
            {shown.length > 0 && (
              <DataTable
                rows={shown}
                rowKey={(image) => image.name}
                columns={[
                  {
                    header: 'Image',
                    cell: (image) => (
                      <Link className="strong" to={routePath('browse', repository, image.name)}>
                        {image.name}
                      </Link>
                    ),
                  },
                  { header: 'Tags', cell: (image) => `${formatCount(image.tags.length)}${components.complete ? '' : '+'}` },
                  ...(summary.data?.type === 'group'
                    ? [{ header: 'Members', className: 'small', title: 'The members holding tags of the image, in the group’s order', cell: (image: ImageGroup) => membersOf(image).join(', ') }]
                    : []),
                  { header: 'Last updated', cell: (image) => <Time iso={image.lastModified} /> },
                  { header: 'Last downloaded', wide: true, cell: (image) => <Time iso={image.lastDownloaded} empty="never" /> },
                ]}
              />
            )}
            {needle && shown.length === 0 && components.items.length > 0 && <EmptyState title={`Nothing matches “${filter}”`}>{!components.complete && 'Load more tags to search further.'}</EmptyState>}
            {!components.complete && components.items.length > 0 && (
              <div className="load-more">
                <button type="button" className="btn" onClick={components.loadMore} disabled={components.loading}>
                  {components.loading ? 'Loading…' : 'Load more'}
                </button>
                <button type="button" className="btn" onClick={components.loadAll} disabled={components.loading}>
                  Load all
                </button>
              </div>
            )}
          </>
        )}
      </AsyncView>
    </section>
  );
}
