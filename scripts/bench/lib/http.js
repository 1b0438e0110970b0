'use strict';
// Small node:http helpers: buffered requests, streamed uploads with backpressure, streamed downloads.
const http = require('node:http');
const { createHash } = require('node:crypto');

const DEFAULT_TIMEOUT_MS = 120_000;

function makeAgent() {
  return new http.Agent({ keepAlive: true, maxSockets: 64 });
}

function basicAuth(user, password) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function openRequest(url, { method = 'GET', headers = {}, agent, timeoutMs = DEFAULT_TIMEOUT_MS }) {
  const u = new URL(url);
  return http.request({
    host: u.hostname,
    port: u.port,
    path: u.pathname + u.search,
    method,
    headers,
    agent,
    timeout: timeoutMs,
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

/** GET streamed to a sha256 and a byte counter (bytes are discarded). */
function downloadAndHash(url, { headers = {}, agent, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const req = openRequest(url, { method: 'GET', headers, agent, timeoutMs });
    failOnTimeout(req, url, timeoutMs);
    req.on('error', reject);
    req.on('response', (res) => {
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

module.exports = { makeAgent, basicAuth, request, streamUpload, downloadAndHash, waitFor };
