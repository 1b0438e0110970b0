import type { RepositorySummary, RepositoryType } from '@wharf/api-types';
import { useApi } from '../api/context';
import { ActionDialog } from '../components/ActionDialog';
import { shortDigest } from '../components/format';
import { useForgetComponents } from './useComponents';

/** Hosted repositories delete; proxies evict from their cache (the upstream keeps the image). */
export function deleteVerb(type: RepositoryType, tense: 'now' | 'past' = 'now'): string {
  if (type === 'proxy') return tense === 'now' ? 'Evict' : 'Evicted';
  return tense === 'now' ? 'Delete' : 'Deleted';
}

/**
 * Confirms deleting (hosted) or evicting (proxy) a tag, or a manifest by digest with every tag on it. A tag goes
 * as a component (REST API): its manifest goes with it unless another tag keeps it, so a collection frees it.
 */
export function DeleteReferenceDialog({
  repository,
  image,
  reference,
  onDone,
  onCancel,
}: {
  repository: RepositorySummary;
  image: string;
  /** A tag, or a digest (`sha256:…`). */
  reference: string;
  onDone: () => void;
  onCancel: () => void;
}) {
  const api = useApi();
  const forget = useForgetComponents();
  const byDigest = reference.includes(':');
  const proxy = repository.type === 'proxy';
  const what = byDigest ? `manifest ${shortDigest(reference)}` : `tag ${reference}`;

  return (
    <ActionDialog
      title={`${deleteVerb(repository.type)} ${what}?`}
      confirmLabel={`${deleteVerb(repository.type)} ${byDigest ? 'manifest' : 'tag'}`}
      run={() => (byDigest ? api.deleteManifest(repository.name, image, reference) : api.deleteComponent(repository.name, image, reference))}
      onDone={() => {
        forget(repository.name);
        onDone();
      }}
      onCancel={onCancel}
    >
      {proxy ? (
        <p>
          Removes {image}
          {byDigest ? `@${shortDigest(reference)} and every tag pointing to it` : `:${reference}`} from the cache of <strong>{repository.name}</strong>. The
          upstream keeps it; the next pull fetches it again.
        </p>
      ) : byDigest ? (
        <p>
          Deletes the manifest {shortDigest(reference)} of {image} in <strong>{repository.name}</strong>, and every tag pointing to it. Clients can no longer
          pull it. This cannot be undone.
        </p>
      ) : (
        <p>
          Deletes the tag <strong>
            {image}:{reference}
          </strong>{' '}
          in {repository.name}, and its manifest unless another tag uses it. The next cleanup run frees the bytes no other image shares.
        </p>
      )}
    </ActionDialog>
  );
}
