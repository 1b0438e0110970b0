'use strict';
// Starting the servers under test. Each returns a target: { name, baseUrl, headers, pid, child,
// version, settings, logFile } — scenarios only use targets, so later targets (for example a Wharf
// proxy repository in front of Distribution) plug in without changing them.
const fs = require('node:fs');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { startProcess, runCommand, stopProcess } = require('./proc');
const { freePorts } = require('./ports');
const { request, waitFor, basicAuth } = require('./http');

const DISTRIBUTION_BIN = '/usr/bin/docker-registry';

async function distributionVersion() {
  try {
    const { stdout, stderr } = await runCommand(DISTRIBUTION_BIN, ['--version'], { timeoutMs: 10_000 });
    return (stdout || stderr).trim();
  } catch {
    return null;
  }
}

/** CNCF Distribution: filesystem storage, in-memory blob descriptor cache, no auth, access log off. */
async function startDistribution({ workDir, logDir }) {
  const [port] = await freePorts(1);
  const root = path.join(workDir, 'distribution-data');
  fs.mkdirSync(root, { recursive: true });
  const configFile = path.join(workDir, 'distribution.yml');
  fs.writeFileSync(
    configFile,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${root}`,
      '  cache:',
      '    blobdescriptor: inmemory',
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      'health:',
      '  storagedriver:',
      '    enabled: false',
      '',
    ].join('\n'),
  );
  const logFile = path.join(logDir, 'distribution.log');
  const child = startProcess('distribution', DISTRIBUTION_BIN, ['serve', configFile], { logFile });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForServer('Distribution', child, logFile, `${baseUrl}/v2/`, { timeoutMs: 30_000 });
  return {
    name: 'distribution',
    label: 'Distribution',
    baseUrl,
    headers: {},
    pid: child.pid,
    child,
    logFile,
    version: await distributionVersion(),
    settings: { storage: 'filesystem', cache: 'blobdescriptor inmemory', auth: 'none', log: 'warn, access log off' },
    stop: () => stopProcess(child),
  };
}

/** Wharf from apps/server/dist, with a hosted repository `bench` on its own connector port. */
function logTail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Waits for a started server; when it dies or never answers, the error carries its log's tail. */
async function waitForServer(name, child, logFile, url, opts) {
  try {
    return await waitFor(url, { ...opts, isAlive: () => !child.exitInfo });
  } catch (err) {
    throw new Error(`${name} did not start: ${err.message}\n--- last lines of ${logFile}:\n${logTail(logFile)}`);
  }
}

async function startWharf({ repoRoot, workDir, logDir, cpuProfDir, nodeArgs: extraNodeArgs = [] }) {
  const [mainPort, connectorPort] = await freePorts(2);
  const dataDir = path.join(workDir, 'wharf-data');
  fs.mkdirSync(dataDir, { recursive: true });
  const password = randomBytes(12).toString('base64url');
  const auth = basicAuth('admin', password);
  const logFile = path.join(logDir, 'wharf.log');
  const nodeArgs = [...extraNodeArgs];
  if (cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  const child = startProcess('wharf', process.execPath, [...nodeArgs, path.join(repoRoot, 'apps/server/dist/main.js')], {
    cwd: repoRoot,
    logFile,
    env: {
      WHARF_PORT: String(mainPort),
      WHARF_HOST: '127.0.0.1',
      WHARF_DATA_DIR: dataDir,
      WHARF_ADMIN_PASSWORD: password,
      WHARF_LOG_LEVEL: 'warn',
    },
  });
  const mainUrl = `http://127.0.0.1:${mainPort}`;
  await waitForServer('Wharf', child, logFile, `${mainUrl}/service/rest/v1/status`, { timeoutMs: 60_000 });
  const repo = {
    name: 'bench',
    online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW' },
    docker: { v1Enabled: false, forceBasicAuth: true, httpPort: connectorPort },
  };
  const res = await request(`${mainUrl}/service/rest/v1/repositories/docker/hosted`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/json' },
    body: JSON.stringify(repo),
  });
  if (res.status !== 201) throw new Error(`wharf: creating the hosted repository: ${res.status} ${res.body.toString().slice(0, 500)}`);
  const baseUrl = `http://127.0.0.1:${connectorPort}`;
  await waitForServer('Wharf (connector port)', child, logFile, `${baseUrl}/v2/`, { headers: { Authorization: auth }, timeoutMs: 30_000 });
  let version = null;
  try {
    version = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;
  } catch {}
  return {
    name: 'wharf',
    label: 'Wharf',
    baseUrl,
    mainUrl,
    headers: { Authorization: auth },
    pid: child.pid,
    child,
    logFile,
    version,
    settings: {
      storage: 'embedded defaults (SQLite + filesystem blob store)',
      repository: 'hosted "bench" on its connector port',
      auth: 'HTTP Basic (admin)',
      log: 'WHARF_LOG_LEVEL=warn',
      cpuProfile: cpuProfDir ? `node --cpu-prof (${cpuProfDir})` : 'no profiler',
      ...(extraNodeArgs.length ? { nodeArgs: `node ${extraNodeArgs.join(' ')}` } : {}),
    },
    stop: () => stopProcess(child, 15_000),
  };
}

module.exports = { startDistribution, startWharf, distributionVersion };
