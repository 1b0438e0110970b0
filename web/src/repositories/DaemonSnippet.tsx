import type { RepositorySummary } from '@wharf/api-types';
import { CopyBlock, CopyButton } from '../components/CopyButton';
import { connectorPort, daemonJsonSnippet, hostName } from './model';

/** For proxies and groups with a connector: the daemon.json that makes Docker use them as a mirror. */
export function DaemonSnippet({ repository, compact = false }: { repository: RepositorySummary; compact?: boolean }) {
  const port = connectorPort(repository);
  if (port === null || repository.type === 'hosted') return null;
  const text = daemonJsonSnippet(hostName(repository), port);
  if (compact) return <CopyButton text={text} label="Copy daemon.json" />;
  return (
    <div className="snippet">
      <p className="muted">
        Put this in <code>/etc/docker/daemon.json</code> on each Docker host and restart dockerd: Docker Hub pulls then go through{' '}
        {repository.name}.
      </p>
      <CopyBlock text={text} label="daemon.json snippet" />
    </div>
  );
}
