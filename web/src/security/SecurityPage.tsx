import { PageHeader } from '../components/ui';
import { AnonymousAccess } from './Anonymous';
import { ApiTokens } from './ApiTokens';
import { AuditLog } from './AuditLog';
import { Realms } from './Realms';
import { Roles } from './Roles';
import { SecurityNav, type SecurityTab } from './SecurityNav';
import { Users } from './Users';

const TITLES: Record<SecurityTab, { title: string; subtitle: string }> = {
  anonymous: { title: 'Anonymous access', subtitle: 'Whether clients without credentials may pull.' },
  users: { title: 'Users', subtitle: 'Local users who sign in here and with docker login.' },
  roles: { title: 'Roles', subtitle: 'Sets of privileges given to users.' },
  realms: { title: 'Realms', subtitle: 'How credentials are checked.' },
  tokens: { title: 'API tokens', subtitle: 'Bearer tokens for scripts and CI, instead of passwords.' },
  audit: { title: 'Audit log', subtitle: 'Security and repository changes, deletions and failed sign-ins, newest first.' },
};

export function securityTabOf(segment: string | undefined): SecurityTab | null {
  if (segment === undefined) return 'anonymous';
  return (['anonymous', 'users', 'roles', 'realms', 'tokens', 'audit'] as const).find((t) => t === segment) ?? null;
}

export function SecurityPage({ tab }: { tab: SecurityTab }) {
  return (
    <section>
      <PageHeader title={TITLES[tab].title} subtitle={TITLES[tab].subtitle} />
      <SecurityNav current={tab} />
      <div className="tab-panel">
        {tab === 'anonymous' && <AnonymousAccess />}
        {tab === 'users' && <Users />}
        {tab === 'roles' && <Roles />}
        {tab === 'realms' && <Realms />}
        {tab === 'tokens' && <ApiTokens />}
        {tab === 'audit' && <AuditLog />}
      </div>
    </section>
  );
}
