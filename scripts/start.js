#!/usr/bin/env node
// `npm start`: builds what is not built yet (tsc -b is incremental), then runs Wharf in this process.
'use strict';
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'apps/server/tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
require(join(root, 'apps/server/dist/main.js'));
