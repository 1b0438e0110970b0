'use strict';
// Small node:http(s) helpers: buffered requests, streamed uploads with backpressure, streamed downloads.
// https URLs trust the bench's CA (setTrustedCa) and get an https agent of their own per http agent.
const http = require('node:http');
const https = require('node:https');
const { createHash } = require('node:crypto');

const DEFAULT_TIMEOUT_MS = 120_000;

function makeAgent() {
  return new http.Agent({ keepAlive: true, maxSockets: 64 });
}

let trustedCa;
const httpsAgents = new WeakMap();

/** The CA (PEM) https requests trust: the one the bench made for its TLS upstreams. */
function setTrustedCa(pem) {
  trustedCa = pem;
}

/** The https twin of an http agent (same pooling), created on first use. */
function httpsAgentFor(agent) {
  if (!agent) return undefined;
  let twin = httpsAgents.get(agent);
  if (!twin) {
    twin = new https.Agent({ keepAlive: true, maxSockets: agent.maxSockets, ca: trustedCa });
    httpsAgents.set(agent, twin);
    const destroy = agent.destroy.bind(agent);
    agent.destroy = () => {
      twin.destroy();
      destroy();
    };
  }
  return twin;
}

function basicAuth(user, password) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function openRequest(url, { method = 'GET', headers = {}, agent, timeoutMs = DEFAULT_TIMEOUT_MS }) {
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  return (secure ? https : http).request({
    host: u.hostname,
    port: u.port,
    path: u.pathname + u.search,
    method,
    headers,
    agent: secure ? httpsAgentFor(agent) : agent,
    timeout: timeoutMs,
    ...(secure && !agent ? { ca: trustedCa } : {}),
  });
}

function failOnTimeout(req, url, timeoutMs) {
  req.on('timeout', () => req.destroy(new Error(`${req.method} ${url}: no activity for ${timeoutMs} ms`)));
}

/** A request with an optional small body; resolves with status, headers and the whole response body. */
function request(url, { method = 'GET', headers = {}, body, agent, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = openRequest(url, {
      method,
      headers: payload ? { 'Content-Length': payload.length, ...headers } : headers,
      agent,
      timeoutMs,
    });
    failOnTimeout(req, url, timeoutMs);
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.end(payload);
  });
}

/**
 * A request whose body is produced by `produce(write)`, an async function that calls
 * `await write(buffer)` for each piece; backpressure is honoured, so nothing accumulates in memory.
 */
function streamUpload(url, { method = 'PATCH', headers = {}, agent, timeoutMs = DEFAULT_TIMEOUT_MS }, produce) {
  return new Promise((resolve, reject) => {
    const req = openRequest(url, { method, headers, agent, timeoutMs });
    failOnTimeout(req, url, timeoutMs);
    let failed = null;
    req.on('error', (err) => {
      failed = err;
      reject(err);
    });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    const write = (buf) =>
      new Promise((ok, ko) => {
        if (failed) return ko(failed);
        if (req.write(buf)) return ok();
        const onDrain = () => {
          req.off('close', onClose);
          ok();
        };
        const onClose = () => {
          req.off('drain', onDrain);
          ko(failed || new Error(`${method} ${url}: connection closed during upload`));
        };
        req.once('drain', onDrain);
        req.once('close', onClose);
      });
    produce(write).then(
      () => req.end(),
      (err) => {
        req.destroy(err);
        reject(err);
      },
    );
  });
}

/**
 * GET streamed to a sha256 and a byte counter (bytes are discarded). Redirects (a registry sending blob GETs
 * to its CDN) are followed, at most 3, without the Authorization header once the origin changes.
 */
function downloadAndHash(url, { headers = {}, agent, timeoutMs = DEFAULT_TIMEOUT_MS } = {}, hops = 0) {
  return new Promise((resolve, reject) => {
    const req = openRequest(url, { method: 'GET', headers, agent, timeoutMs });
    failOnTimeout(req, url, timeoutMs);
    req.on('error', reject);
    req.on('response', (res) => {
      if ([301, 302, 303, 307, 308].includes(res.statusCode) && res.headers.location && hops < 3) {
        res.resume();
        const next = new URL(res.headers.location, url);
        const sameOrigin = next.origin === new URL(url).origin;
        const { Authorization: _a, authorization: _b, ...rest } = headers;
        downloadAndHash(next.href, { headers: sameOrigin ? headers : rest, agent, timeoutMs }, hops + 1).then(resolve, reject);
        return;
      }
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (c) => {
        bytes += c.length;
        hash.update(c);
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, bytes, digest: `sha256:${hash.digest('hex')}` }),
      );
    });
    req.end();
  });
}

/** Polls `url` until `accept(status)` or the deadline. */
async function waitFor(url, { headers, timeoutMs = 60_000, accept = (s) => s === 200, isAlive = () => true } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited while waiting for ${url}`);
    try {
      const res = await request(url, { headers, timeoutMs: 2000 });
      if (accept(res.status)) return res;
      last = `status ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

module.exports = { makeAgent, basicAuth, setTrustedCa, request, streamUpload, downloadAndHash, waitFor };
