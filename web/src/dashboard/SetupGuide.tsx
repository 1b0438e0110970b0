import type { RepositorySummary } from '@wharf/api-types';
import { useApi } from '../api/context';
import { useApiQuery } from '../api/queries';
import { Link, routePath, withQuery } from '../components/router';

interface Step {
  done: boolean;
  title: string;
  text: string;
  to: string;
  action: string;
}

/**
 * The steps to a working setup: Docker Hub proxy, hosted repository, group on 8181, and anonymous access (dockerd
 * sends no credentials to a registry mirror). `anonymous`: whether anonymous access is on; null when unknown (the
 * caller may not read it), and the step is left out.
 */
export function setupSteps(repositories: RepositorySummary[], anonymous: boolean | null = null): Step[] {
  const proxies = repositories.filter((r) => r.type === 'proxy').map((r) => r.name);
  const hosted = repositories.filter((r) => r.type === 'hosted').map((r) => r.name);
  const used = (port: number) => repositories.some((r) => (r.attributes?.docker as { httpPort?: unknown } | undefined)?.httpPort === port);
  const members = [...hosted.slice(0, 1), ...proxies];
  const steps: Step[] = [
    {
      done: proxies.length > 0,
      title: 'Proxy Docker Hub',
      text: 'A pull-through cache of Docker Hub: each image is downloaded once, then served from Wharf, and Docker Hub rate limits are tracked.',
      to: withQuery(routePath('repositories', 'new', 'proxy'), { preset: 'hub', name: 'docker-hub', return: '/' }),
      action: 'Create the Docker Hub proxy',
    },
    {
      done: hosted.length > 0,
      title: 'Host your own images',
      text: 'A hosted repository you push to. Connector port 8182 lets clients push as host:8182/<image>.',
      to: withQuery(routePath('repositories', 'new', 'hosted'), { name: 'docker-hosted', port: used(8182) ? null : '8182', return: '/' }),
      action: 'Create the hosted repository',
    },
    {
      done: repositories.some((r) => r.type === 'group'),
      title: 'Join them in a group on port 8181',
      text: 'One address for everything: Docker daemons use it as registry mirror, pushes go to the hosted member.',
      to: withQuery(routePath('repositories', 'new', 'group'), {
        name: 'docker-group',
        port: used(8181) ? null : '8181',
        members: members.join(','),
        writable: hosted[0] ?? null,
        return: '/',
      }),
      action: 'Create the group',
    },
  ];
  if (anonymous !== null) {
    steps.push({
      done: anonymous,
      title: 'Let Docker daemons pull without credentials',
      text: 'dockerd sends no credentials to a registry mirror: until anonymous access is on, docker pull through the group answers "unauthorized". The proxy and the group above already leave "Require authentication" off; the hosted repository keeps it on.',
      to: routePath('security', 'anonymous'),
      action: 'Turn on anonymous access',
    });
  }
  return steps;
}

const COUNT = ['zero', 'one', 'two', 'three', 'four', 'five'];

export function SetupGuide({ repositories }: { repositories: RepositorySummary[] }) {
  const api = useApi();
  const anonymous = useApiQuery(['anonymous'], () => api.getAnonymous());
  const steps = setupSteps(repositories, anonymous.data ? anonymous.data.enabled : null);
  const next = steps.findIndex((s) => !s.done);
  if (next < 0) return null;
  const empty = repositories.length === 0;
  return (
    <section className={`card setup${empty ? ' setup-empty' : ''}`} aria-labelledby="setup-title">
      <h2 id="setup-title">{empty ? `Set up Wharf in ${COUNT[steps.length] ?? steps.length} steps` : 'Finish the setup'}</h2>
      {empty && <p className="muted">No repositories yet. These steps give Docker hosts a cache of Docker Hub and a place to push, behind one address.</p>}
      <ol className="steps">
        {steps.map((step, i) => (
          <li key={step.title} className={`step${step.done ? ' step-done' : ''}${i === next ? ' step-next' : ''}`}>
            <span className="step-mark" aria-hidden="true">
              {step.done ? '✓' : i + 1}
            </span>
            <div className="step-body">
              <h3>
                {step.title}
                {step.done && <span className="sr-only"> (done)</span>}
              </h3>
              <p className="muted">{step.text}</p>
              {!step.done && (
                <Link to={step.to} className={`btn ${i === next ? 'btn-primary' : ''}`}>
                  {step.action}
                </Link>
              )}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
