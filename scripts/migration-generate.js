#!/usr/bin/env node
// Generates TypeORM migrations from the difference between the committed migrations and the entities,
// for both dialects at once: SQLite (an in-memory database) and PostgreSQL (a throw-away server,
// scripts/lib/throwaway-postgres.js). Writes migrations/sqlite/<stamp>-<Name>.ts and/or
// migrations/postgres/<stamp>-<Name>.ts and registers them in migrations/index.ts.
// Usage: npm run migration:generate -- <PascalCaseName>   (review the files, then commit them)
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { startPostgres } = require('./lib/throwaway-postgres');

const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
  console.error('usage: npm run migration:generate -- <PascalCaseName>');
  process.exit(2);
}
const root = join(__dirname, '..');
execFileSync('npx', ['tsc', '-b', 'libs/persistence'], { cwd: root, stdio: 'inherit' });
const { createDataSource, pendingSchemaChanges } = require(join(root, 'libs/persistence/dist'));
const { MIGRATIONS } = require(join(root, 'migrations/dist'));

/** The statements each dialect's migrations lack, against a fresh database of that dialect. */
async function pending(url) {
  const db = createDataSource({ sqlitePath: ':memory:', url, migrations: MIGRATIONS });
  await db.initialize();
  try {
    await db.runMigrations();
    return await pendingSchemaChanges(db);
  } finally {
    await db.destroy();
  }
}

function migrationSource(className, { up, down }) {
  const q = (sql) => '    await queryRunner.query(' + JSON.stringify(sql) + ');';
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${up.map(q).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${[...down].reverse().map(q).join('\n')}
  }
}
`;
}

/** Imports a generated class in migrations/index.ts and appends it to its dialect's list. */
function register(index, dialect, className, file) {
  const lastImport = index.lastIndexOf('\nimport ');
  const lineEnd = index.indexOf('\n', lastImport + 1);
  // Both dialects' classes share a name: PostgreSQL's are imported under a Pg prefix.
  const local = dialect === 'postgres' ? `Pg${className}` : className;
  const binding = local === className ? className : `${className} as ${local}`;
  index = `${index.slice(0, lineEnd + 1)}import { ${binding} } from './${dialect}/${file}';\n${index.slice(lineEnd + 1)}`;
  const list = new RegExp(`(\\n  ${dialect}: \\[)([^\\]]*)(\\])`);
  if (!list.test(index)) throw new Error(`migrations/index.ts has no "${dialect}: [...]" list`);
  return index.replace(list, (_, open, items, close) => `${open}${items.trim() ? `${items.trim().replace(/,$/, '')}, ` : ''}${local}${close}`);
}

(async () => {
  const server = await startPostgres();
  let changes;
  try {
    changes = { sqlite: await pending(undefined), postgres: await pending(`${server.url}/postgres`) };
  } finally {
    await server.stop();
  }
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const file = `${timestamp}-${name}`;
  const indexPath = join(root, 'migrations', 'index.ts');
  let index = readFileSync(indexPath, 'utf8');
  let wrote = 0;
  for (const dialect of ['sqlite', 'postgres']) {
    const change = changes[dialect];
    if (change.up.length === 0) {
      console.log(`${dialect}: entities and migrations agree, nothing to generate`);
      continue;
    }
    writeFileSync(join(root, 'migrations', dialect, `${file}.ts`), migrationSource(className, change));
    index = register(index, dialect, className, file);
    console.log(`${dialect}: wrote migrations/${dialect}/${file}.ts (${change.up.length} statements)`);
    wrote++;
  }
  if (wrote > 0) {
    writeFileSync(indexPath, index);
    console.log('review the files and migrations/index.ts, then commit them');
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
