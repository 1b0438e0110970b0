#!/usr/bin/env node
// `npm start`: builds what is not built yet (tsc -b is incremental; the UI when web/dist is missing),
// then runs Wharf (scripts/serve.js: a child process with the runtime settings of scripts/server-runtime.js).
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
run([join(root, 'scripts/build-native.js')]);
run([require.resolve('typescript/bin/tsc'), '-b', 'apps/server/tsconfig.build.json']);
if (!existsSync(join(root, 'web/dist/index.html'))) {
  run([join(root, 'node_modules/vite/bin/vite.js'), 'build', 'web']);
}
require('./serve').serve(root);
