import { useState } from 'react';
import { CLEANUP_POLICY_NAME, type CleanupPolicyJson, type CleanupPreviewJson, type CleanupPreviewRequestJson } from '@wharf/api-types';
import { useApi } from '../api/context';
import { useAction, useRepositories } from '../api/queries';
import { type EditorContext, EditDeleteButtons, InlineForm, ResourceList, useListPage } from '../components/ResourceList';
import { DataTable, WithNote } from '../components/DataTable';
import { CheckboxField, SelectField, TextField } from '../components/fields';
import { type FieldErrors, useForm } from '../components/form-kit';
import { formatBytes, formatCount, plural, shortDigest } from '../components/format';
import { EmptyState, ErrorBox, Loading } from '../components/states';
import { Time } from '../components/ui';

/** The form's values: text inputs stay strings until sent. */
interface PolicyDraft {
  name: string;
  notes: string;
  criteriaLastBlobUpdated: string;
  criteriaLastDownloaded: string;
  criteriaAssetRegex: string;
  retain: string;
  criteriaUntagged: boolean;
}

const POLICY_FIELDS = ['name', 'notes', 'criteriaLastBlobUpdated', 'criteriaLastDownloaded', 'criteriaAssetRegex', 'retain', 'criteriaUntagged', '*'];
const WHOLE = /^[1-9][0-9]{0,5}$/;

function draftOf(policy: CleanupPolicyJson | null): PolicyDraft {
  const text = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));
  return {
    name: policy?.name ?? '',
    notes: policy?.notes ?? '',
    criteriaLastBlobUpdated: text(policy?.criteriaLastBlobUpdated),
    criteriaLastDownloaded: text(policy?.criteriaLastDownloaded),
    criteriaAssetRegex: policy?.criteriaAssetRegex ?? '',
    retain: text(policy?.retain),
    criteriaUntagged: policy?.criteriaUntagged ?? false,
  };
}

function policyOf(draft: PolicyDraft): CleanupPolicyJson {
  const number = (s: string) => (s.trim() === '' ? null : Number(s.trim()));
  return {
    name: draft.name.trim(),
    notes: draft.notes.trim(),
    format: 'docker',
    criteriaLastBlobUpdated: number(draft.criteriaLastBlobUpdated),
    criteriaLastDownloaded: number(draft.criteriaLastDownloaded),
    criteriaAssetRegex: draft.criteriaAssetRegex.trim() === '' ? null : draft.criteriaAssetRegex.trim(),
    retain: draft.criteriaUntagged ? null : number(draft.retain),
    criteriaUntagged: draft.criteriaUntagged,
  };
}

function validatePolicy(draft: PolicyDraft, creating: boolean, existing: CleanupPolicyJson[]): FieldErrors {
  const errors: FieldErrors = {};
  const name = draft.name.trim();
  if (creating && !CLEANUP_POLICY_NAME.test(name)) errors.name = 'Up to 200 letters, digits and . _ -, starting with a letter or digit.';
  else if (creating && existing.some((p) => p.name === name)) errors.name = 'A policy with this name exists.';
  for (const key of ['criteriaLastBlobUpdated', 'criteriaLastDownloaded', 'retain'] as const) {
    const value = draft[key].trim();
    if (value !== '' && !WHOLE.test(value)) errors[key] = 'A whole number, at least 1 (or empty).';
  }
  const p = policyOf(draft);
  if (p.criteriaLastBlobUpdated === null && p.criteriaLastDownloaded === null && p.criteriaAssetRegex === null && p.retain === null && !p.criteriaUntagged) {
    errors['*'] = 'Set at least one criterion.';
  }
  return errors;
}

/** In words, what a policy selects. */
export function describeCriteria(p: Omit<CleanupPolicyJson, 'name' | 'notes' | 'format'>): string {
  const parts: string[] = [p.criteriaUntagged ? 'manifests no tag points at' : 'tags'];
  if (p.criteriaAssetRegex) parts.push(`matching ${p.criteriaAssetRegex}`);
  if (p.criteriaLastBlobUpdated !== null) parts.push(`updated more than ${plural(p.criteriaLastBlobUpdated, 'day')} ago`);
  if (p.criteriaLastDownloaded !== null) parts.push(`not pulled for ${plural(p.criteriaLastDownloaded, 'day')}`);
  if (p.retain !== null) parts.push(`except the ${formatCount(p.retain)} newest of each image`);
  return parts.join(', ');
}

/** Cleanup policies: what the cleanup task removes from the repositories that name them, with a preview. */
export function CleanupPolicies() {
  const api = useApi();
  const page = useListPage<CleanupPolicyJson>();
  const [previewing, setPreviewing] = useState<string | null>(null);

  return (
    <ResourceList
      page={page}
      listing={api.cleanupPolicies}
      what="Cleanup policies"
      newLabel="New cleanup policy"
      editor={(policy, context) => <PolicyForm policy={policy} {...context} />}
      empty={
        <EmptyState title="No cleanup policies">
          A policy selects tags to delete (by age, last pull, name, or all but the newest). Name it in a repository&apos;s cleanup settings; the cleanup task applies it.
        </EmptyState>
      }
      columns={[
        { header: 'Name', className: 'strong', cell: (p) => <WithNote note={p.notes}>{p.name}</WithNote> },
        { header: 'Selects', className: 'small', cell: (p) => describeCriteria(p) },
      ]}
      actions={(p) => (
        <EditDeleteButtons page={page} item={p}>
          <button type="button" className="btn btn-small" onClick={() => setPreviewing(previewing === p.name ? null : p.name)} aria-expanded={previewing === p.name}>
            Preview
          </button>
        </EditDeleteButtons>
      )}
      deletion={(p) => ({
        title: `Delete cleanup policy ${p.name}?`,
        text: 'A policy that a repository still names cannot be deleted: remove it from the repository first.',
        done: `Deleted cleanup policy ${p.name}.`,
      })}
    >
      {previewing !== null && <PreviewPanel title={`Preview of ${previewing}`} request={(repository) => ({ repository, policyName: previewing })} />}
    </ResourceList>
  );
}

function PolicyForm({ policy, list, saved, cancel }: { policy: CleanupPolicyJson | null } & EditorContext<CleanupPolicyJson>) {
  const api = useApi();
  const creating = policy === null;
  const [previewOf, setPreviewOf] = useState<CleanupPolicyJson | null>(null);
  const kit = useForm({
    initial: draftOf(policy),
    validate: (draft: PolicyDraft) => validatePolicy(draft, creating, list),
    toJson: policyOf,
    save: (body) => (creating ? api.cleanupPolicies.create(body) : api.cleanupPolicies.update(body)),
    known: POLICY_FIELDS,
    onSaved: (body) => saved(`Saved cleanup policy ${body.name}.`),
  });
  const { form, errors, field, check } = kit;
  const problems = validatePolicy(form, false, []);

  return (
    <InlineForm
      title={creating ? 'New cleanup policy' : `Edit cleanup policy ${policy.name}`}
      description="Every criterion you set must match. Empty fields are not criteria."
      kit={kit}
      submitLabel={creating ? 'Create policy' : 'Save policy'}
      onCancel={cancel}
    >
      {errors['*'] && <p className="field-error">{errors['*']}</p>}
      <TextField {...field('name')} label="Name" disabled={!creating} />
      <TextField {...field('notes')} label="Notes" />
      <CheckboxField {...check('criteriaUntagged')} label="Untagged manifests" help="Select manifests no tag points at (pushed by digest, or left by a moved tag) instead of tags. Those an index or a tagged signature still needs are kept." />
      <TextField {...field('criteriaLastBlobUpdated')} label="Updated more than (days)" inputMode="numeric" help="Tags that last moved to new content this many days ago (untagged manifests: stored)." />
      <TextField {...field('criteriaLastDownloaded')} label="Not pulled for (days)" inputMode="numeric" help="Never pulled counts from when it was stored." />
      <TextField {...field('criteriaAssetRegex')} label="Name matches" help="A regular expression (RE2) over all of image:tag, e.g. .*:pr-.* (untagged: image@digest)." />
      {!form.criteriaUntagged && <TextField {...field('retain')} label="Keep the newest (per image)" inputMode="numeric" help="The N most recently updated tags of each image are never selected." />}
      <div className="toolbar">
        <button type="button" className="btn" disabled={Object.keys(problems).length > 0} onClick={() => setPreviewOf(policyOf(form))}>
          Preview these criteria
        </button>
      </div>
      {previewOf && (
        <PreviewPanel
          title={`Preview: ${describeCriteria(previewOf)}`}
          request={(repository) => ({ repository, policy: { ...previewOf } })}
        />
      )}
    </InlineForm>
  );
}

/** Choose a repository, see what the policy would remove from it now and what that would free. */
export function PreviewPanel({ title, request }: { title: string; request: (repository: string) => CleanupPreviewRequestJson }) {
  const api = useApi();
  const repositories = useRepositories();
  const candidates = (repositories.data ?? []).filter((r) => r.type !== 'group').map((r) => r.name);
  const [repository, setRepository] = useState('');
  const chosen = repository || candidates[0] || '';
  const [result, setResult] = useState<CleanupPreviewJson | null>(null);
  const preview = useAction((name: string) => api.previewCleanup(request(name)), setResult);

  return (
    <section className="card preview-panel" aria-label={title}>
      <h3>{title}</h3>
      {repositories.data === undefined ? (
        repositories.error !== undefined ? <ErrorBox error={repositories.error} onRetry={repositories.reload} /> : <Loading label="Loading repositories…" />
      ) : candidates.length === 0 ? (
        <p className="muted">There is no hosted or proxy repository to preview.</p>
      ) : (
        <div className="preview-controls">
          <SelectField path="preview.repository" label="Repository" value={chosen} onChange={setRepository} options={candidates.map((n) => ({ value: n, label: n }))} />
          <button type="button" className="btn btn-primary" disabled={preview.busy} onClick={() => preview.run(chosen)}>
            {preview.busy ? 'Looking…' : 'Show what would go'}
          </button>
        </div>
      )}
      {preview.error !== undefined && <ErrorBox error={preview.error} />}
      {result && <PreviewResult preview={result} />}
    </section>
  );
}

function PreviewResult({ preview }: { preview: CleanupPreviewJson }) {
  const { totals } = preview;
  if (preview.items.length === 0) return <p className="notice">Nothing in {preview.repository} matches: a run would remove nothing.</p>;
  return (
    <>
      <p className="summary-line" role="status">
        A run would remove {plural(totals.tags, 'tag')} and {plural(totals.manifests, 'manifest')} from {preview.repository}
        {totals.images > 0 && <> ({plural(totals.images, 'image')} entirely)</>} and free <strong>{formatBytes(totals.bytes)}</strong>.
      </p>
      <DataTable
        rows={preview.items}
        rowKey={(i) => `${i.image}:${i.tag ?? i.digest}`}
        columns={[
          { header: 'Image', className: 'strong', cell: (i) => i.image },
          { header: 'Tag', className: 'mono small', cell: (i) => i.tag ?? <span className="muted">untagged</span> },
          { header: 'Digest', className: 'mono small', wide: true, cellTitle: (i) => i.digest, cell: (i) => shortDigest(i.digest) },
          { header: 'Updated', cell: (i) => <Time iso={i.lastUpdated} /> },
          { header: 'Last pulled', cell: (i) => <Time iso={i.lastDownloaded} empty="never" /> },
        ]}
      />
      {preview.truncated && <p className="muted small">Only the first {formatCount(preview.items.length)} are listed.</p>}
    </>
  );
}
