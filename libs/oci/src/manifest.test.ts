import { registryErrorOf } from '../test/registry-error-of';
import { describe, expect, it } from 'vitest';
import { digestOf } from './digest';
import { MAX_MANIFEST_BYTES, type ParsedManifest, checkPushedContentType, parseManifest, referrerArtifactType, requiredBlobs, requiredManifests } from './manifest';
import { MediaType } from './mediatypes';

const d = (s: string) => digestOf(s);
const desc = (mediaType: string, seed: string, size = 10, extra: Record<string, unknown> = {}) => ({
  mediaType,
  digest: d(seed),
  size,
  ...extra,
});
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const FOREIGN = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
const NONDIST = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';

const dockerV2 = {
  schemaVersion: 2,
  mediaType: MediaType.DockerManifest,
  config: desc(MediaType.DockerContainerConfig, 'config', 1469),
  layers: [desc(DOCKER_LAYER, 'l1', 100), desc(DOCKER_LAYER, 'l2', 200)],
};
const dockerList = {
  schemaVersion: 2,
  mediaType: MediaType.DockerManifestList,
  manifests: [
    desc(MediaType.DockerManifest, 'amd64', 528, { platform: { architecture: 'amd64', os: 'linux' } }),
    desc(MediaType.DockerManifest, 'arm64', 528, { platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }),
  ],
};
const ociManifest = {
  schemaVersion: 2,
  mediaType: MediaType.OciManifest,
  config: desc(MediaType.OciConfig, 'config'),
  layers: [desc(LAYER, 'l1')],
  annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
};
const subject = desc(MediaType.OciManifest, 'subject', 700);
const ociIndex = {
  schemaVersion: 2,
  mediaType: MediaType.OciIndex,
  artifactType: 'application/vnd.example.sbom',
  manifests: [desc(MediaType.OciManifest, 'child', 300, { platform: { architecture: 'amd64', os: 'linux' } })],
  subject,
};
const artifact = {
  schemaVersion: 2,
  mediaType: MediaType.OciManifest,
  config: desc('application/vnd.example.signature.config+json', 'sigcfg'),
  layers: [desc('application/vnd.example.signature', 'sig')],
  subject,
};

const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const parseError = (body: unknown, ct?: string) => registryErrorOf(() => parseManifest(bytes(body), ct));

describe('parseManifest: accepted documents', () => {
  it.each<[string, unknown, string | undefined, Partial<ParsedManifest>]>([
    ['docker v2', dockerV2, MediaType.DockerManifest, { mediaType: MediaType.DockerManifest, kind: 'image', manifests: [] }],
    ['docker manifest list', dockerList, MediaType.DockerManifestList, { mediaType: MediaType.DockerManifestList, kind: 'index', layers: [] }],
    ['oci manifest', ociManifest, MediaType.OciManifest, { mediaType: MediaType.OciManifest, kind: 'image' }],
    ['oci index with subject/artifactType', ociIndex, MediaType.OciIndex, { kind: 'index', subject, artifactType: 'application/vnd.example.sbom' }],
    ['artifact: artifactType from config', artifact, MediaType.OciManifest, { kind: 'image', subject, artifactType: 'application/vnd.example.signature.config+json' }],
    ['Content-Type with parameters', ociManifest, `${MediaType.OciManifest}; charset=utf-8`, { mediaType: MediaType.OciManifest }],
    ['no Content-Type', dockerV2, undefined, { mediaType: MediaType.DockerManifest }],
    ['generic Content-Type ignored', dockerV2, 'application/json', { mediaType: MediaType.DockerManifest }],
    ['mediaType from Content-Type', { ...ociIndex, mediaType: undefined }, MediaType.OciIndex, { mediaType: MediaType.OciIndex, kind: 'index' }],
    ['inferred OCI manifest', { ...ociManifest, mediaType: undefined }, undefined, { mediaType: MediaType.OciManifest, kind: 'image' }],
    ['inferred OCI index', { ...ociIndex, mediaType: undefined }, 'application/octet-stream', { mediaType: MediaType.OciIndex, kind: 'index' }],
    ['explicit artifactType wins over config', { ...artifact, artifactType: 'application/x-a' }, undefined, { artifactType: 'application/x-a' }],
    ['empty layers', { ...ociManifest, layers: [] }, undefined, { layers: [] }],
  ])('%s', (_label, body, ct, expected) => {
    const m = parseManifest(bytes(body), ct);
    expect(m).toMatchObject(expected as Record<string, unknown>);
  });

  it('returns the descriptors with their fields', () => {
    const m = parseManifest(bytes(dockerList));
    expect(m.manifests[1]).toEqual({
      mediaType: MediaType.DockerManifest,
      digest: d('arm64'),
      size: 528,
      platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
    });
    const img = parseManifest(bytes(ociManifest));
    expect(img.config).toEqual(ociManifest.config);
    expect(img.layers).toEqual(ociManifest.layers);
    expect(img.annotations).toEqual(ociManifest.annotations);
    expect(img.subject).toBeUndefined();
    expect(img.artifactType).toBeUndefined(); // standard config type: not an artifact
  });
});

describe('parseManifest: refused documents', () => {
  const schema1Body = { schemaVersion: 1, name: 'x', tag: 'latest', fsLayers: [] };
  it.each<[string, unknown, string | undefined, RegExp]>([
    ['invalid JSON', '{"schemaVersion": 2,', undefined, /not valid JSON/],
    ['empty body', '', undefined, /not valid JSON/],
    ['JSON array', [], undefined, /must be a JSON object/],
    ['JSON null', 'null', undefined, /must be a JSON object/],
    ['JSON string', '"x"', undefined, /must be a JSON object/],
    ['missing schemaVersion', { ...ociManifest, schemaVersion: undefined }, undefined, /schemaVersion must be 2/],
    ['schemaVersion "2" as string', { ...ociManifest, schemaVersion: '2' }, undefined, /schemaVersion must be 2/],
    ['schemaVersion 3', { ...ociManifest, schemaVersion: 3 }, undefined, /schemaVersion must be 2/],
    ['schema1 by schemaVersion', schema1Body, undefined, /schema1 manifests are not supported/],
    ['schema1 by Content-Type', dockerV2, MediaType.DockerSchema1Signed, /schema1 manifests are not supported/],
    ['schema1 by Content-Type (unsigned)', dockerV2, MediaType.DockerSchema1, /schema1 manifests are not supported/],
    ['schema1 by body mediaType', { ...dockerV2, mediaType: MediaType.DockerSchema1 }, undefined, /schema1 manifests are not supported/],
    ['mediaType conflicts with Content-Type', ociManifest, MediaType.DockerManifest, /does not match/],
    ['unsupported mediaType', { ...ociManifest, mediaType: 'application/vnd.example+json' }, undefined, /unsupported manifest media type/],
    ['non-string mediaType', { ...ociManifest, mediaType: 7 }, undefined, /mediaType must be a non-empty string/],
    ['type cannot be inferred', { schemaVersion: 2, layers: [] }, undefined, /cannot determine/],
    ['image without config', { ...dockerV2, config: undefined }, undefined, /config is required/],
    ['image without layers', { ...dockerV2, layers: undefined }, undefined, /layers is required/],
    ['image with manifests', { ...ociManifest, manifests: [] }, undefined, /must not contain manifests/],
    ['index without manifests', { ...ociIndex, manifests: undefined }, undefined, /manifests is required/],
    ['index with layers', { ...ociIndex, layers: [] }, undefined, /must not contain config or layers/],
    ['layers not an array', { ...dockerV2, layers: {} }, undefined, /^layers must be an array/],
    ['annotations with a number', { ...ociManifest, annotations: { a: 1 } }, undefined, /^annotations must be an object of string values/],
    ['empty artifactType', { ...ociManifest, artifactType: '' }, undefined, /artifactType must be a non-empty string/],
  ])('%s', (_label, body, ct, message) => {
    const e = parseError(body, ct);
    expect(e.code).toBe('MANIFEST_INVALID');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(message);
  });

  const layers = (i: number, bad: unknown) => ({ ...dockerV2, layers: [...dockerV2.layers, desc(DOCKER_LAYER, 'l3'), bad].slice(0, i + 1).map((l, j) => (j === i ? bad : l)) });
  it.each<[string, unknown, RegExp]>([
    ['config not an object', { ...dockerV2, config: 'x' }, /^config must be an object/],
    ['config missing mediaType', { ...dockerV2, config: { digest: d('c'), size: 1 } }, /^config\.mediaType must be a non-empty string/],
    ['layer digest upper-case', layers(2, desc(DOCKER_LAYER, 'x', 1, { digest: `sha256:${'A'.repeat(64)}` })), /^layers\[2\]\.digest is invalid/],
    ['layer digest unknown algorithm', layers(1, desc(DOCKER_LAYER, 'x', 1, { digest: `md5:${'a'.repeat(32)}` })), /^layers\[1\]\.digest is invalid: unsupported/],
    ['layer digest not a string', layers(0, desc(DOCKER_LAYER, 'x', 1, { digest: 5 })), /^layers\[0\]\.digest must be a string/],
    ['layer size negative', layers(2, desc(DOCKER_LAYER, 'x', -1)), /^layers\[2\]\.size must be a non-negative integer/],
    ['layer size fractional', layers(2, desc(DOCKER_LAYER, 'x', 1.5)), /^layers\[2\]\.size/],
    ['layer size a string', layers(2, desc(DOCKER_LAYER, 'x', '10' as unknown as number)), /^layers\[2\]\.size/],
    ['layer size unsafe', layers(2, desc(DOCKER_LAYER, 'x', 2 ** 53)), /^layers\[2\]\.size/],
    ['layer null', layers(1, null), /^layers\[1\] must be an object/],
    ['layer urls not strings', layers(1, desc(FOREIGN, 'x', 1, { urls: [1] })), /^layers\[1\]\.urls must be an array of strings/],
    ['index child missing digest', { ...dockerList, manifests: [{ mediaType: MediaType.DockerManifest, size: 1 }] }, /^manifests\[0\]\.digest/],
    ['index child platform missing os', { ...dockerList, manifests: [desc(MediaType.DockerManifest, 'a', 1, { platform: { architecture: 'amd64' } })] }, /^manifests\[0\]\.platform\.os/],
    ['subject bad size', { ...ociManifest, subject: { ...subject, size: 'big' } }, /^subject\.size/],
    ['descriptor annotations not strings', layers(0, desc(DOCKER_LAYER, 'x', 1, { annotations: { a: true } })), /^layers\[0\]\.annotations/],
  ])('descriptor error names its path: %s', (_label, body, message) => {
    const e = parseError(body);
    expect(e.code).toBe('MANIFEST_INVALID');
    expect(e.message).toMatch(message);
  });

  it('refuses bodies over MAX_MANIFEST_BYTES with 413', () => {
    const e = registryErrorOf(() => parseManifest(Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20)));
    expect(e.code).toBe('MANIFEST_INVALID');
    expect(e.status).toBe(413);
  });

  it('refuses invalid UTF-8', () => {
    const raw = Buffer.concat([Buffer.from('{"schemaVersion":2,"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(() => parseManifest(raw)).toThrow(/not valid UTF-8/);
  });
});

describe('requiredBlobs / requiredManifests', () => {
  const withForeign = {
    ...dockerV2,
    layers: [
      desc(FOREIGN, 'win-base', 1000, { urls: ['https://mcr.microsoft.com/x'] }),
      desc(FOREIGN, 'win-base-no-urls', 1000),
      desc(NONDIST, 'nondist', 1000),
      desc(DOCKER_LAYER, 'has-urls', 5, { urls: ['https://example.com/blob'] }),
      desc(DOCKER_LAYER, 'empty-urls', 5, { urls: [] }),
      desc(DOCKER_LAYER, 'l1', 100),
      desc(DOCKER_LAYER, 'l1', 100), // the same layer twice
    ],
  };
  it.each<[string, unknown, string[], string[]]>([
    ['docker v2', dockerV2, [d('config'), d('l1'), d('l2')], []],
    ['oci manifest', ociManifest, [d('config'), d('l1')], []],
    ['foreign/nondistributable/urls layers excluded, duplicates once', withForeign, [d('config'), d('empty-urls'), d('l1')], []],
    ['docker list', dockerList, [], [d('amd64'), d('arm64')]],
    ['oci index (subject is not required)', ociIndex, [], [d('child')]],
    ['artifact (subject is not required)', artifact, [d('sigcfg'), d('sig')], []],
  ])('%s', (_label, body, blobs, manifests) => {
    const m = parseManifest(bytes(body));
    expect(requiredBlobs(m).map((x) => x.digest)).toEqual(blobs);
    expect(requiredManifests(m).map((x) => x.digest)).toEqual(manifests);
  });
});

describe('referrerArtifactType', () => {
  it.each([
    ['explicit artifactType', ociIndex, 'application/vnd.example.sbom'],
    ['non-standard config', artifact, 'application/vnd.example.signature.config+json'],
    ['standard config still reported (OCI 1.1)', ociManifest, MediaType.OciConfig],
    ['index without artifactType', dockerList, undefined],
  ])('%s', (_label, body, expected) => {
    expect(referrerArtifactType(parseManifest(bytes(body)))).toBe(expected);
  });
});

describe('checkPushedContentType: a pushed manifest must be labelled as one', () => {
  it.each([undefined, '', MediaType.OciManifest, MediaType.DockerManifestList, `${MediaType.OciIndex}; charset=utf-8`, ' APPLICATION/VND.OCI.IMAGE.MANIFEST.V1+JSON '])(
    'accepts %j',
    (type) => {
      expect(() => checkPushedContentType(type)).not.toThrow();
    },
  );

  it.each([
    ['text/html', /not a manifest media type/],
    ['application/json', /not a manifest media type/],
    ['application/octet-stream', /not a manifest media type/],
    ['application/vnd.oci.image.layer.v1.tar+gzip', /not a manifest media type/],
    [MediaType.DockerSchema1Signed, /schema1 manifests are not supported/],
  ])('refuses %s with MANIFEST_INVALID', (type, message) => {
    expect(() => checkPushedContentType(type)).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID', message: expect.stringMatching(message) }));
  });
});
