import { type Tab, TabNav } from '../components/TabNav';

export type SecurityTab = 'anonymous' | 'users' | 'roles' | 'realms' | 'tokens' | 'audit';

const TABS: Tab<SecurityTab>[] = [
  { id: 'anonymous', label: 'Anonymous access', path: '/security' },
  { id: 'users', label: 'Users', path: '/security/users' },
  { id: 'roles', label: 'Roles', path: '/security/roles' },
  { id: 'realms', label: 'Realms', path: '/security/realms' },
  { id: 'tokens', label: 'API tokens', path: '/security/tokens' },
  { id: 'audit', label: 'Audit log', path: '/security/audit' },
];

export function SecurityNav({ current }: { current: SecurityTab }) {
  return <TabNav label="Security sections" tabs={TABS} current={current} />;
}
