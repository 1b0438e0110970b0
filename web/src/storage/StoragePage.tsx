import { type Tab, TabNav } from '../components/TabNav';
import { PageHeader } from '../components/ui';
import { CleanupPolicies } from './CleanupPolicies';
import { Tasks } from './Tasks';

export type StorageTab = 'policies' | 'tasks';

const TABS: (Tab<StorageTab> & { subtitle: string })[] = [
  { id: 'policies', label: 'Cleanup policies', path: '/storage', subtitle: 'What the cleanup task deletes from the repositories that name a policy.' },
  { id: 'tasks', label: 'Tasks', path: '/storage/tasks', subtitle: 'Cleanup and garbage collection, proxy eviction, upload purge, usage measurement.' },
];

export function storageTabOf(segment: string | undefined): StorageTab | null {
  if (segment === undefined) return 'policies';
  return segment === 'tasks' ? 'tasks' : null;
}

/** `#/storage` (cleanup policies) and `#/storage/tasks`. */
export function StoragePage({ tab }: { tab: StorageTab }) {
  const current = TABS.find((t) => t.id === tab)!;
  return (
    <section>
      <PageHeader title={current.label} subtitle={current.subtitle} />
      <TabNav label="Storage sections" tabs={TABS} current={tab} />
      <div className="tab-panel">{tab === 'policies' ? <CleanupPolicies /> : <Tasks />}</div>
    </section>
  );
}
