// The scenarios, in the order they run. Each file's default export is a Scenario (lib/context.ts):
// { id, title, run(ctx) } returning { params, commands?, results: { <target name>: {...} }, rows: [{ metric, unit, key, better, digits }] }.
// `requires` names ctx.state entries an earlier scenario must have produced; `needsWrk` skips the
// scenario when wrk is unavailable; `setup` marks a step that is not a measurement.
// The proxy-* scenarios run a Wharf proxy repository and Distribution in proxy mode side by side in
// front of one shared upstream (lib/proxy-env.ts); each creates what it needs, so any of them runs
// alone with --only=. They report { columns } (Wharf proxy, Distribution proxy, ...) instead of the
// hosted targets.
import type { Scenario } from '../lib/context';
import blobThroughput from './blob-throughput';
import gcCollection from './gc-collection';
import idleRss from './idle-rss';
import manifestGet from './manifest-get';
import proxyBigRss from './proxy-big-rss';
import proxyBlobDedup from './proxy-blob-dedup';
import proxyColdPull from './proxy-cold-pull';
import proxyConcurrentTls from './proxy-concurrent-tls';
import proxyManifestGet from './proxy-manifest-get';
import proxyTagRevalidation from './proxy-tag-revalidation';
import proxyWarmThroughput from './proxy-warm-throughput';
import pullLarge from './pull-large';
import pushLarge from './push-large';
import replicasManifestGet from './replicas-manifest-get';
import s3WarmRead from './s3-warm-read';
import seed from './seed';

export const scenarios: readonly Scenario[] = [
  idleRss, // before the seed: its own fresh servers, nothing pushed
  seed,
  pushLarge,
  pullLarge,
  blobThroughput,
  manifestGet,
  proxyColdPull,
  proxyWarmThroughput,
  proxyManifestGet,
  proxyTagRevalidation,
  proxyBlobDedup,
  proxyBigRss,
  proxyConcurrentTls,
  gcCollection, // its own fresh servers
  s3WarmRead, // PostgreSQL + RGW + Wharf and Distribution on S3 (lib/s3-env.ts)
  replicasManifestGet, // the same, plus a second replica and HAProxy
];
