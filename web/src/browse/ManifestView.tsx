import { useState } from 'react';
import { type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest, type RepositorySummary, isImageConfigMediaType } from '@wharf/api-types';
import { useApi } from '../api/context';
import {
  type ManifestDocument,
  isAttestation,
  mediaTypeLabel,
  platformLabel,
} from '../api/oci';
import { useApiQuery, useRepository } from '../api/queries';
import { CopyButton } from '../components/CopyButton';
import { DataTable } from '../components/DataTable';
import { formatBytes, formatCount, plural, shortDigest } from '../components/format';
import { Link, navigate, routePath } from '../components/router';
import { AsyncView, EmptyState, ErrorBox, Loading } from '../components/states';
import { PageHeader, Time } from '../components/ui';
import { pullCommand } from '../repositories/model';
import { DeleteReferenceDialog, deleteVerb } from './DeleteReference';
import { BrowseCrumbs } from './shared';

/** `#/browse/<repo>/<image>/<tag or digest>`: a manifest or index, read through the registry API. */
export function ManifestPage({ repository, image, reference }: { repository: string; image: string; reference: string }) {
  const api = useApi();
  const summary = useRepository(repository);
  const manifest = useApiQuery(['manifest', repository, image, reference], () => api.getManifest(repository, image, reference));
  const [deleting, setDeleting] = useState<string | null>(null);
  const byDigest = reference.includes(':');

  return (
    <section>
      <PageHeader
        crumbs={<BrowseCrumbs repository={repository} image={image} reference={reference} />}
        title={
          <span className="break">
            {image}
            <span className="muted">{byDigest ? `@${shortDigest(reference)}` : `:${reference}`}</span>
          </span>
        }
        subtitle={`in ${repository}`}
        actions={
          summary.data && (
            <>
              <CopyButton text={pullCommand(summary.data, image, reference)} label="Copy pull command" className="btn" />
              {summary.data.type !== 'group' && !byDigest && (
                <button type="button" className="btn btn-danger-quiet" onClick={() => setDeleting(reference)}>
                  {deleteVerb(summary.data.type)} tag
                </button>
              )}
              {summary.data.type !== 'group' && manifest.data?.digest && (
                <button type="button" className="btn btn-danger-quiet" onClick={() => setDeleting(manifest.data!.digest)}>
                  {deleteVerb(summary.data.type)} manifest
                </button>
              )}
            </>
          )
        }
      />
      {summary.error !== undefined && <ErrorBox error={summary.error} onRetry={summary.reload} />}
      <AsyncView state={manifest} loadingLabel="Loading manifest…">
        {(doc) => (summary.data ? <ManifestDetails repository={summary.data} image={image} reference={reference} doc={doc} /> : <Loading />)}
      </AsyncView>
      {deleting && summary.data && (
        <DeleteReferenceDialog
          repository={summary.data}
          image={image}
          reference={deleting}
          onCancel={() => setDeleting(null)}
          onDone={() => navigate(routePath('browse', repository, image))}
        />
      )}
    </section>
  );
}

export function ManifestDetails({ repository, image, reference, doc }: { repository: RepositorySummary; image: string; reference: string; doc: ManifestDocument }) {
  return (
    <>
      <dl className="facts facts-wide card">
        <dt>Digest</dt>
        <dd className="mono small break">
          {doc.digest || '—'} {doc.digest && <CopyButton text={doc.digest} label="Copy" />}
        </dd>
        <dt>Media type</dt>
        <dd>
          {mediaTypeLabel(doc.mediaType)} <span className="muted small mono">{doc.mediaType}</span>
        </dd>
        <dt>Manifest size</dt>
        <dd>{formatBytes(doc.size)}</dd>
        {repository.type !== 'group' && doc.digest && <ImageSizeFacts repository={repository.name} image={image} digest={doc.digest} />}
        <dt>Pull</dt>
        <dd className="mono small break">{pullCommand(repository, image, reference)}</dd>
      </dl>
      {doc.kind === 'index' ? <IndexView repository={repository.name} image={image} index={doc.index} /> : <ImageView repository={repository.name} image={image} manifest={doc.manifest} />}
    </>
  );
}

/** What the image holds in the blob store, and what deleting it would free (the bytes no other manifest shares). */
function ImageSizeFacts({ repository, image, digest }: { repository: string; image: string; digest: string }) {
  const api = useApi();
  const size = useApiQuery(['image-size', repository, image, digest], () => api.imageSize(repository, image, digest));
  if (!size.data) return null;
  return (
    <>
      <dt>Stored size</dt>
      <dd>
        {formatBytes(size.data.totalBytes)} <span className="muted small">manifests, config and layers, each blob once</span>
      </dd>
      <dt>Only this image</dt>
      <dd>
        {formatBytes(size.data.uniqueBytes)} <span className="muted small">not shared with another image: what deleting it frees</span>
      </dd>
    </>
  );
}

/** A multi-platform image: one row per platform manifest, linked by digest. */
export function IndexView({ repository, image, index }: { repository: string; image: string; index: ImageIndex }) {
  const platforms = index.manifests.filter((m) => !isAttestation(m));
  const attestations = index.manifests.filter(isAttestation);
  return (
    <section className="section" aria-labelledby="platforms-title">
      <h2 id="platforms-title">Platforms ({formatCount(platforms.length)})</h2>
      {platforms.length === 0 ? (
        <EmptyState title="This index lists no platform images" />
      ) : (
        <DescriptorTable repository={repository} image={image} rows={platforms} label={(d) => platformLabel(d.platform)} />
      )}
      {attestations.length > 0 && (
        <>
          <h3>Attestations ({formatCount(attestations.length)})</h3>
          <p className="muted small">Build provenance and SBOMs that BuildKit attached to the platform images.</p>
          <DescriptorTable
            repository={repository}
            image={image}
            rows={attestations}
            label={(d) => {
              const of = d.annotations?.['vnd.docker.reference.digest'];
              return of ? `attestation of ${shortDigest(of)}` : 'attestation';
            }}
          />
        </>
      )}
    </section>
  );
}

function DescriptorTable({ repository, image, rows, label }: { repository: string; image: string; rows: Descriptor[]; label: (d: Descriptor) => string }) {
  return (
    <DataTable
      stack={false}
      rows={rows}
      rowKey={(d) => d.digest}
      columns={[
        {
          header: 'Platform',
          cell: (d) => (
            <Link className="strong" to={routePath('browse', repository, image, d.digest)}>
              {label(d)}
            </Link>
          ),
        },
        { header: 'Digest', className: 'mono small', cellTitle: (d) => d.digest, cell: (d) => shortDigest(d.digest) },
        { header: 'Media type', wide: true, className: 'small', cell: (d) => mediaTypeLabel(d.mediaType) },
        { header: 'Manifest size', cell: (d) => formatBytes(d.size) },
      ]}
    />
  );
}

/** One image: its layers, their total, and its configuration blob. */
export function ImageView({ repository, image, manifest }: { repository: string; image: string; manifest: ImageManifest }) {
  const api = useApi();
  const isImage = isImageConfigMediaType(manifest.config.mediaType);
  const config = useApiQuery<ImageConfig | null>(['image-config', repository, image, manifest.config.digest, isImage], () =>
    isImage ? api.getImageConfig(repository, image, manifest.config.digest) : Promise.resolve(null),
  );
  const total = manifest.layers.reduce((sum, l) => sum + (l.size ?? 0), 0);
  return (
    <>
      {!isImage && (
        <p className="callout">
          An artifact{manifest.artifactType ? ` of type ${manifest.artifactType}` : ''}, not a container image: its config is{' '}
          <span className="mono small">{manifest.config.mediaType}</span>.
        </p>
      )}
      <section className="section" aria-labelledby="layers-title">
        <h2 id="layers-title">
          {isImage ? 'Layers' : 'Blobs'} ({formatCount(manifest.layers.length)}) · {formatBytes(total)} total
        </h2>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Digest</th>
                <th scope="col" className="hide-narrow">
                  Media type
                </th>
                <th scope="col" className="num">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {manifest.layers.map((layer, i) => (
                <tr key={`${layer.digest}-${i}`}>
                  <td>{i + 1}</td>
                  <td className="mono small" title={layer.digest}>
                    {shortDigest(layer.digest)}
                  </td>
                  <td className="hide-narrow small">{mediaTypeLabel(layer.mediaType)}</td>
                  <td className="num">{formatBytes(layer.size)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  Total (compressed, as pulled)
                </th>
                <td className="hide-narrow" />
                <td className="num strong">{formatBytes(total)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      </section>
      {isImage && (
        <section className="section" aria-labelledby="config-title">
          <h2 id="config-title">
            Configuration <span className="muted small mono">{shortDigest(manifest.config.digest)}</span>
          </h2>
          <AsyncView state={config} loadingLabel="Loading the image configuration…">
            {(c) => (c ? <ConfigView config={c} layers={manifest.layers} /> : null)}
          </AsyncView>
        </section>
      )}
    </>
  );
}

function list(values: string[] | null | undefined): string {
  return values && values.length > 0 ? JSON.stringify(values) : '—';
}

export function ConfigView({ config, layers }: { config: ImageConfig; layers: Descriptor[] }) {
  const c = config.config ?? {};
  const env = c.Env ?? [];
  const labels = Object.entries(c.Labels ?? {});
  const ports = Object.keys(c.ExposedPorts ?? {});
  let layerIndex = 0;
  const history = (config.history ?? []).map((h) => {
    const layer = h.empty_layer ? undefined : layers[layerIndex++];
    return { ...h, layer };
  });
  const platform = [config.os, config.architecture, config.variant].filter(Boolean).join('/');
  return (
    <>
      <dl className="facts facts-wide card">
        <dt>Platform</dt>
        <dd>
          {platform || '—'}
          {config['os.version'] ? ` ${config['os.version']}` : ''}
        </dd>
        <dt>Created</dt>
        <dd>{config.created ? <Time iso={config.created} /> : '—'}</dd>
        <dt>Entrypoint</dt>
        <dd className="mono small break">{list(c.Entrypoint)}</dd>
        <dt>Cmd</dt>
        <dd className="mono small break">{list(c.Cmd)}</dd>
        {c.WorkingDir && (
          <>
            <dt>Working dir</dt>
            <dd className="mono small">{c.WorkingDir}</dd>
          </>
        )}
        {c.User && (
          <>
            <dt>User</dt>
            <dd className="mono small">{c.User}</dd>
          </>
        )}
        {ports.length > 0 && (
          <>
            <dt>Exposed ports</dt>
            <dd className="mono small">{ports.join(', ')}</dd>
          </>
        )}
      </dl>

      <h3>Environment ({formatCount(env.length)})</h3>
      {env.length === 0 ? (
        <p className="muted">No environment variables.</p>
      ) : (
        <ul className="kv-list mono small">
          {env.map((e, i) => {
            const eq = e.indexOf('=');
            return (
              <li key={`${e}-${i}`}>
                <span className="kv-key">{eq < 0 ? e : e.slice(0, eq)}</span>
                {eq >= 0 && <span className="kv-value">{e.slice(eq + 1)}</span>}
              </li>
            );
          })}
        </ul>
      )}

      <h3>Labels ({formatCount(labels.length)})</h3>
      {labels.length === 0 ? (
        <p className="muted">No labels.</p>
      ) : (
        <ul className="kv-list mono small">
          {labels.map(([k, v]) => (
            <li key={k}>
              <span className="kv-key">{k}</span>
              <span className="kv-value">{v}</span>
            </li>
          ))}
        </ul>
      )}

      <h3>History ({plural(history.length, 'step')})</h3>
      {history.length === 0 ? (
        <p className="muted">No build history recorded.</p>
      ) : (
        <ol className="history">
          {history.map((h, i) => (
            <li key={i} className={h.empty_layer ? 'history-empty' : ''}>
              <code className="history-command">{(h.created_by ?? '').replace(/^\/bin\/sh -c #\(nop\)\s*/, '') || '(no command recorded)'}</code>
              <span className="muted small">
                {h.created ? <Time iso={h.created} /> : null}
                {h.layer ? ` · layer ${formatBytes(h.layer.size)}` : ' · no layer'}
                {h.comment ? ` · ${h.comment}` : ''}
              </span>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
