'use strict';
// HAProxy's configuration in front of several Wharf replicas on one machine, for the e2e tests
// (test/support/haproxy.ts) and `npm run bench` (scripts/bench/src/lib/s3-env.ts): the shipped
// examples/replicas/haproxy.cfg's `global`, `resolvers` and `defaults` sections as they are (timeouts, retries,
// forwardfor, round-robin, the readiness check, the HTTP log), then one frontend and backend per port instead of
// its single frontend (so that statistics and logs tell the ports apart), on the caller's addresses.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const SHIPPED = join(__dirname, '../../examples/replicas/haproxy.cfg');

/**
 * @param {{ address: string, ports: number[], healthPort: number, servers: { name: string, address: string }[], socket?: string }} opts
 *   every port of `ports` is balanced over the servers (which serve it on their own address); `socket`: an admin
 *   socket. The readiness is checked on `healthPort` every 500 ms instead of 2 s (a killed replica leaves sooner),
 *   each check allowed 2 s (with only `inter 500ms`, a readiness answer slower than 500 ms on a loaded machine
 *   took a healthy replica out, and HAProxy answered 503 meanwhile). Server state changes are logged too.
 */
function haproxyConfig({ address, ports, healthPort, servers, socket }) {
  const shipped = readFileSync(SHIPPED, 'utf8');
  const sections = shipped.slice(0, shipped.search(/^frontend /m));
  if (!/^defaults$/m.test(sections) || !/^global$/m.test(sections)) throw new Error(`${SHIPPED}: no global or defaults section before the first frontend`);
  const global = ['global', ...(socket ? [`  stats socket ${socket} mode 600 level admin`] : []), '  log stdout format raw local0'];
  const lines = [sections.replace(/^global\n/m, `${global.join('\n')}\n`)];
  for (const port of ports) {
    lines.push(`frontend in${port}`, `  bind ${address}:${port}`, `  default_backend port${port}`);
    lines.push(`backend port${port}`, '  timeout check 2s', `  default-server check port ${healthPort} inter 500ms fall 2 rise 2`);
    for (const server of servers) lines.push(`  server ${server.name} ${server.address}:${port}`);
  }
  return `${lines.join('\n')}\n`;
}

module.exports = { haproxyConfig };
