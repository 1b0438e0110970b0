'use strict';
// The scenarios, in the order they run. Each exports { id, title, run(ctx) } and returns
// { params, commands?, results: { <target name>: {...} }, rows: [{ metric, unit, key, better, digits }] }.
// `requires` names ctx.state entries an earlier scenario must have produced; `needsWrk` skips the
// scenario when wrk is unavailable; `setup` marks a step that is not a measurement.
// Proxy-mode scenarios (a Wharf proxy repository in front of Distribution, cold and warm pulls)
// go here as new files; they add their own targets through lib/servers.js.
module.exports = [
  require('./seed'),
  require('./push-large'),
  require('./pull-large'),
  require('./blob-throughput'),
  require('./manifest-get'),
];
