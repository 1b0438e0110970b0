import type { ComponentJson } from '@wharf/api-types';
import type { ImageConfig, ImageIndex, ImageManifest } from '@wharf/api-types';

const hex = (c: string) => c.repeat(64);
export const D = {
  index: `sha256:${hex('a')}`,
  amd64: `sha256:${hex('b')}`,
  arm64: `sha256:${hex('c')}`,
  attestation: `sha256:${hex('d')}`,
  config: `sha256:${hex('e')}`,
  layer1: `sha256:${hex('1')}`,
  layer2: `sha256:${hex('2')}`,
  layer3: `sha256:${hex('3')}`,
};

export const INDEX: ImageIndex = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D.amd64, size: 1024, platform: { architecture: 'amd64', os: 'linux' } },
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D.arm64, size: 1025, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: D.attestation,
      size: 840,
      platform: { architecture: 'unknown', os: 'unknown' },
      annotations: { 'vnd.docker.reference.digest': D.amd64, 'vnd.docker.reference.type': 'attestation-manifest' },
    },
  ],
};

export const MANIFEST: ImageManifest = {
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D.config, size: 1469 },
  layers: [
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: D.layer1, size: 2_500_000 },
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: D.layer2, size: 750 },
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: D.layer3, size: 12_345_678 },
  ],
};

export const CONFIG: ImageConfig = {
  architecture: 'arm64',
  os: 'linux',
  variant: 'v8',
  created: '2024-05-01T12:00:00Z',
  config: {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP_MODE=production'],
    Entrypoint: ['/docker-entrypoint.sh'],
    Cmd: ['nginx', '-g', 'daemon off;'],
    Labels: { 'org.opencontainers.image.source': 'https://github.com/example/app', maintainer: 'ops@example.org' },
    ExposedPorts: { '80/tcp': {} },
    WorkingDir: '/srv',
  },
  history: [
    { created: '2024-04-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
    { created: '2024-04-01T00:00:01Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    { created: '2024-05-01T11:59:00Z', created_by: 'RUN /bin/sh -c apk add nginx # buildkit', comment: 'buildkit.dockerfile.v0' },
    { created: '2024-05-01T11:59:30Z', created_by: 'COPY app /srv # buildkit' },
  ],
};

export function component(repository: string, image: string, tag: string, digest: string, extra: Partial<{ contentType: string; fileSize: number; lastModified: string; lastDownloaded: string | null }> = {}): ComponentJson {
  return {
    id: `${repository}:${image}:${tag}`,
    repository,
    format: 'docker',
    group: null,
    name: image,
    version: tag,
    assets: [
      {
        id: `${repository}:${image}@${digest}`,
        path: `v2/${image}/manifests/${tag}`,
        downloadUrl: `http://wharf.example:8081/repository/${repository}/v2/${image}/manifests/${tag}`,
        repository,
        format: 'docker',
        contentType: extra.contentType ?? 'application/vnd.oci.image.index.v1+json',
        checksum: { sha256: digest.slice('sha256:'.length) },
        fileSize: extra.fileSize ?? 1609,
        lastModified: extra.lastModified ?? new Date(Date.now() - 3 * 3600_000).toISOString(),
        lastDownloaded: extra.lastDownloaded === undefined ? new Date(Date.now() - 5 * 60_000).toISOString() : extra.lastDownloaded,
      },
    ],
  };
}
