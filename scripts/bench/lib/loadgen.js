'use strict';
// Fallback load generator (node:http) for blob throughput when wrk is unavailable:
// `connections` clients GET the same URL back to back for `durationS`, discarding the bytes.
const http = require('node:http');

async function repeatGet({ url, headers = {}, connections, durationS }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const u = new URL(url);
  const deadline = Date.now() + durationS * 1000;
  let bytes = 0;
  let requests = 0;
  let errors = 0;
  const t0 = process.hrtime.bigint();
  const one = () =>
    new Promise((resolve) => {
      const req = http.get({ host: u.hostname, port: u.port, path: u.pathname, headers, agent }, (res) => {
        if (res.statusCode !== 200) errors++;
        res.on('data', (c) => {
          bytes += c.length;
          if (Date.now() > deadline) req.destroy();
        });
        res.on('end', () => {
          requests++;
          resolve();
        });
        res.on('error', () => resolve());
        res.on('close', resolve);
      });
      req.on('error', () => resolve());
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  return { command: `node http: ${connections} clients x GET ${url} for ${durationS}s`, requests, bytesRead: bytes, durationS: elapsed, errors };
}

module.exports = { repeatGet };
