import type { Descriptor } from '@wharf/oci';
import type { ManifestRecord } from './ports';

/** The referrers API's descriptors for stored manifests with a given subject, optionally of one artifactType. */
export function referrerDescriptors(records: ManifestRecord[], artifactType?: string): Descriptor[] {
  return records
    .filter((r) => artifactType === undefined || r.artifactType === artifactType)
    .map((r) => ({
      mediaType: r.mediaType,
      digest: r.digest,
      size: r.size,
      ...(r.artifactType ? { artifactType: r.artifactType } : {}),
      ...(r.annotations ? { annotations: r.annotations } : {}),
    }));
}
