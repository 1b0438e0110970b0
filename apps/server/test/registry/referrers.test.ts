import { beforeAll, describe, expect, it } from 'vitest';
import {
  MT,
  type Manifest,
  artifactManifest,
  imageManifest,
  indexManifest,
  manifestDescriptor,
  unknownDigest,
} from '@wharf/test-kit';
import { expectRegistryError } from '../support/registry';
import { FORMS, type HostedFixture, hostedFixture, via } from '../support/setup';
import { useTestWharf } from '../support/wharf';

const wharf = useTestWharf();
let repo: HostedFixture;
const IMAGE = 'app/signed';
const SBOM = 'application/vnd.example.sbom.v1';
const SIG = 'application/vnd.example.signature.v1';
let subject: Manifest;
let sbom: Manifest;
let signature: Manifest;

interface ReferrersIndex {
  schemaVersion: number;
  mediaType: string;
  manifests: { mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }[];
}

beforeAll(async () => {
  repo = await hostedFixture(wharf, 'referrers-hosted');
  subject = imageManifest();
  await repo.connector.pushImage(IMAGE, 'v1', subject);
  sbom = artifactManifest(manifestDescriptor(subject), SBOM, { 'org.example.sbom.format': 'json', 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' });
  signature = artifactManifest(manifestDescriptor(subject), SIG, { 'org.example.signature.fingerprint': 'abcd' });
  await repo.connector.pushBlobs(IMAGE, sbom.blobs);
  await repo.connector.pushBlobs(IMAGE, signature.blobs);
});

describe('pushing a manifest with a subject', () => {
  it('PUT answers 201 with OCI-Subject: <subject digest>', async () => {
    const res = await repo.connector.putManifest(IMAGE, sbom.digest, sbom);
    expect(res.status, res.text()).toBe(201);
    expect(res.header('oci-subject')).toBe(subject.digest);
    expect(res.header('docker-content-digest')).toBe(sbom.digest);
    const sig = await repo.main.putManifest(repo.mainName(IMAGE), signature.digest, signature);
    expect(sig.status, sig.text()).toBe(201);
    expect(sig.header('oci-subject')).toBe(subject.digest);
  });

  it('the referrer is pullable like any manifest', async () => {
    const res = await repo.connector.getManifest(IMAGE, sbom.digest);
    expect(res.status).toBe(200);
    expect(res.body.equals(sbom.bytes)).toBe(true);
    expect(res.header('content-type')).toBe(MT.ociManifest);
  });

  it('a subject that does not exist (yet) is accepted, as the spec requires', async () => {
    const future = imageManifest();
    const early = artifactManifest(manifestDescriptor(future), SBOM);
    await repo.connector.pushBlobs(IMAGE, early.blobs);
    const res = await repo.connector.putManifest(IMAGE, early.digest, early);
    expect(res.status, res.text()).toBe(201);
    expect(res.header('oci-subject')).toBe(future.digest);
    const list = await repo.connector.referrers(IMAGE, future.digest);
    expect(list.json<ReferrersIndex>().manifests.map((d) => d.digest)).toEqual([early.digest]);
  });
});

describe.each(FORMS)('GET /v2/<name>/referrers/<digest> through the %s form', (form) => {
  it('is an OCI index listing every referrer with mediaType, size, artifactType and annotations', async () => {
    const { registry, name } = via(repo, form, IMAGE);
    const res = await registry.referrers(name, subject.digest);
    expect(res.status, res.text()).toBe(200);
    expect(res.header('content-type')).toBe(MT.ociIndex);
    expect(res.header('oci-filters-applied')).toBeNull();
    const body = res.json<ReferrersIndex>();
    expect(body.schemaVersion).toBe(2);
    expect(body.mediaType).toBe(MT.ociIndex);
    const byDigest = Object.fromEntries(body.manifests.map((d) => [d.digest, d]));
    expect(Object.keys(byDigest).sort()).toEqual([sbom.digest, signature.digest].sort());
    expect(byDigest[sbom.digest]).toEqual({
      mediaType: MT.ociManifest,
      digest: sbom.digest,
      size: sbom.size,
      artifactType: SBOM,
      annotations: { 'org.example.sbom.format': 'json', 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
    });
    expect(byDigest[signature.digest]).toEqual({
      mediaType: MT.ociManifest,
      digest: signature.digest,
      size: signature.size,
      artifactType: SIG,
      annotations: { 'org.example.signature.fingerprint': 'abcd' },
    });
  });

  it('filters by artifactType and says so with OCI-Filters-Applied', async () => {
    const { registry, name } = via(repo, form, IMAGE);
    const res = await registry.referrers(name, subject.digest, `?artifactType=${encodeURIComponent(SIG)}`);
    expect(res.status).toBe(200);
    expect(res.header('oci-filters-applied')).toBe('artifactType');
    expect(res.json<ReferrersIndex>().manifests.map((d) => d.digest)).toEqual([signature.digest]);
  });
});

describe('referrers edge cases', () => {
  it('a filter nothing matches gives an empty list (still with OCI-Filters-Applied)', async () => {
    const res = await repo.connector.referrers(IMAGE, subject.digest, `?artifactType=${encodeURIComponent('application/vnd.none')}`);
    expect(res.status).toBe(200);
    expect(res.header('oci-filters-applied')).toBe('artifactType');
    expect(res.json()).toEqual({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] });
  });

  it('a manifest without referrers (or an unknown digest) gives 200 and an empty index, never 404', async () => {
    for (const digest of [sbom.digest, unknownDigest()]) {
      const res = await repo.connector.referrers(IMAGE, digest);
      expect(res.status).toBe(200);
      expect(res.header('content-type')).toBe(MT.ociIndex);
      expect(res.json()).toEqual({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] });
    }
  });

  it('referrers are scoped to the name: another image does not list them', async () => {
    const res = await repo.connector.referrers('app/other', subject.digest);
    expect(res.status).toBe(200);
    expect(res.json<ReferrersIndex>().manifests).toEqual([]);
  });

  it('a malformed digest is 400', async () => {
    const res = await repo.connector.referrers(IMAGE, 'sha256:not-a-digest');
    expectRegistryError(res, 400, 'DIGEST_INVALID');
  });

  it('an unknown repository is 404 NAME_UNKNOWN', async () => {
    expectRegistryError(await repo.main.referrers('no-such-repo/app', subject.digest), 404, 'NAME_UNKNOWN');
  });

  it('an image manifest without artifactType is listed with its config mediaType as artifactType', async () => {
    const target = imageManifest();
    await repo.connector.pushImage('app/plain', 'v1', target);
    const custom = imageManifest({ subject: manifestDescriptor(target), configMediaType: 'application/vnd.example.config.v1+json' });
    const standard = imageManifest({ subject: manifestDescriptor(target) }); // config: application/vnd.oci.image.config.v1+json
    await repo.connector.pushImage('app/plain', custom.digest, custom);
    await repo.connector.pushImage('app/plain', standard.digest, standard);
    const res = await repo.connector.referrers('app/plain', target.digest);
    const byDigest = Object.fromEntries(res.json<ReferrersIndex>().manifests.map((d) => [d.digest, d]));
    expect(byDigest[custom.digest]?.artifactType).toBe('application/vnd.example.config.v1+json');
    expect(byDigest[standard.digest]?.artifactType).toBe(MT.ociConfig);
  });

  it('an index with a subject is a referrer too; without artifactType it has none', async () => {
    const target = imageManifest();
    await repo.connector.pushImage('app/indexed', 'v1', target);
    const child = imageManifest();
    await repo.connector.pushImage('app/indexed', child.digest, child);
    const index = indexManifest([manifestDescriptor(child)], { subject: manifestDescriptor(target) });
    const put = await repo.connector.putManifest('app/indexed', index.digest, index);
    expect(put.status, put.text()).toBe(201);
    expect(put.header('oci-subject')).toBe(target.digest);
    const res = await repo.connector.referrers('app/indexed', target.digest);
    expect(res.json<ReferrersIndex>().manifests).toEqual([{ mediaType: MT.ociIndex, digest: index.digest, size: index.size }]);
  });

  it('a deleted referrer leaves the list', async () => {
    const target = imageManifest();
    await repo.connector.pushImage('app/revoked', 'v1', target);
    const sig = artifactManifest(manifestDescriptor(target), SIG);
    await repo.connector.pushImage('app/revoked', sig.digest, sig);
    expect((await repo.connector.referrers('app/revoked', target.digest)).json<ReferrersIndex>().manifests).toHaveLength(1);
    expect((await repo.connector.http.delete(repo.connector.manifestPath('app/revoked', sig.digest))).status).toBe(202);
    expect((await repo.connector.referrers('app/revoked', target.digest)).json<ReferrersIndex>().manifests).toEqual([]);
  });
});
