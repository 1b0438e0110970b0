import { describe, expect, it } from 'vitest';
import { MediaType, acceptsMediaType, isIndexMediaType, isManifestMediaType, mediaTypeEssence } from './mediatypes';

describe('manifest media type predicates', () => {
  it.each([
    [MediaType.DockerManifest, true, false],
    [MediaType.DockerManifestList, true, true],
    [MediaType.OciManifest, true, false],
    [MediaType.OciIndex, true, true],
    [MediaType.DockerSchema1, false, false],
    [MediaType.DockerSchema1Signed, false, false],
    [MediaType.OciConfig, false, false],
    ['application/json', false, false],
    ['', false, false],
  ])('%s: manifest=%s index=%s', (mt, manifest, index) => {
    expect(isManifestMediaType(mt)).toBe(manifest);
    expect(isIndexMediaType(mt)).toBe(index);
  });
});

describe('mediaTypeEssence', () => {
  it.each([
    ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.manifest.v1+json'],
    [' Application/JSON ; charset=utf-8', 'application/json'],
    ['text/plain;q=0.5', 'text/plain'],
  ])('%j -> %s', (input, expected) => {
    expect(mediaTypeEssence(input)).toBe(expected);
  });
});

describe('acceptsMediaType', () => {
  const oci = MediaType.OciManifest;
  const idx = MediaType.OciIndex;
  const docker = MediaType.DockerManifest;
  it.each<[string, string | string[] | undefined, string, boolean]>([
    ['absent Accept', undefined, docker, true],
    ['empty Accept', '', docker, true],
    ['exact match', oci, oci, true],
    ['not listed', oci, docker, false],
    ['comma list', `${docker}, ${oci}`, oci, true],
    ['comma list without spaces', `${docker},${oci}`, docker, true],
    ['several header values', [docker, oci], oci, true],
    ['several header values, not listed', [docker, oci], idx, false],
    ['parameters ignored', `${oci}; charset=utf-8`, oci, true],
    ['q=0 excludes', `${oci};q=0`, oci, false],
    ['q=0.0 excludes', `${oci}; q=0.0`, oci, false],
    ['q=0.5 accepts', `${oci};q=0.5`, oci, true],
    ['*/* accepts', '*/*', idx, true],
    ['bare * accepts', '*', idx, true],
    ['type wildcard accepts', 'application/*', docker, true],
    ['other type wildcard refuses', 'text/*', docker, false],
    ['case-insensitive', 'APPLICATION/VND.OCI.IMAGE.MANIFEST.V1+JSON', oci, true],
    ['specific q=0 beats */*', `${idx};q=0, */*`, idx, false],
    ['specific q=0 does not affect others', `${idx};q=0, */*`, oci, true],
    ['type/* q=0 beats */*', 'application/*;q=0, */*', docker, false],
    ['exact beats type/* q=0', `application/*;q=0, ${docker}`, docker, true],
    ['*/* q=0 only', '*/*;q=0', docker, false],
    ['garbage entries ignored', `nonsense, ;;, ${docker}`, docker, true],
    ['only garbage', 'nonsense', docker, false],
  ])('%s', (_label, accept, mt, expected) => {
    expect(acceptsMediaType(accept, mt)).toBe(expected);
  });
});
