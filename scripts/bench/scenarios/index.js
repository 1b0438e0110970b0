'use strict';
// The scenarios, in the order they run. Each exports { id, title, run(ctx) } and returns
// { params, commands?, results: { <target name>: {...} }, rows: [{ metric, unit, key, better, digits }] }.
// `requires` names ctx.state entries an earlier scenario must have produced; `needsWrk` skips the
// scenario when wrk is unavailable; `setup` marks a step that is not a measurement.
// The proxy-* scenarios run a Wharf proxy repository and Distribution in proxy mode side by side in
// front of one shared upstream (lib/proxy-env.js); each creates what it needs, so any of them runs
// alone with --only=. They report { columns } (Wharf proxy, Distribution proxy, ...) instead of the
// hosted targets.
module.exports = [
  require('./seed'),
  require('./push-large'),
  require('./pull-large'),
  require('./blob-throughput'),
  require('./manifest-get'),
  require('./proxy-cold-pull'),
  require('./proxy-warm-throughput'),
  require('./proxy-manifest-get'),
  require('./proxy-tag-revalidation'),
  require('./proxy-blob-dedup'),
  require('./proxy-big-rss'),
  require('./proxy-concurrent-tls'),
  require('./gc-collection'), // its own fresh servers
];
