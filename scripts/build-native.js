#!/usr/bin/env node
// Builds the native I/O addon (libs/native-io/native: sendfile(2) downloads, proxy fills received off the
// JavaScript thread) with node-gyp when its build is missing or older than its sources. Without it Wharf
// still works: bytes are copied through JavaScript instead (slower). A failed build is reported, not fatal;
// the unit suite (libs/native-io/src/*.test.ts) fails on Linux without it.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { dirname, join } = require('node:path');

const dir = join(__dirname, '..', 'libs', 'native-io', 'native');
const output = join(dir, 'build', 'Release', 'wharf_native.node');
const sources = readdirSync(dir).filter((f) => /\.(cc|h|gyp)$/.test(f)).map((f) => join(dir, f));

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {}
  return candidates.find((c) => c && existsSync(c));
}

if (process.platform !== 'linux') process.exit(0);
const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
if (existsSync(output) && statSync(output).mtimeMs >= newest) process.exit(0);
const gyp = nodeGyp();
if (!gyp) {
  console.warn('build-native: node-gyp not found; bytes will be copied through JavaScript (no addon)');
  process.exit(0);
}
// Build against this Node's own headers when it has them (no download; the machine may be offline).
const prefix = join(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null);
try {
  execFileSync(process.execPath, [gyp, 'rebuild', '--loglevel=error', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  console.log('build-native: built libs/native-io/native (native I/O addon)');
} catch (err) {
  console.warn(`build-native: could not build the native I/O addon (${err.message}); bytes will be copied through JavaScript`);
}
