#!/usr/bin/env node
// Generates a TypeORM migration from the difference between the committed migrations and the entities.
// Usage: npm run migration:generate -- <PascalCaseName>   (review the file, then commit it)
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
  console.error('usage: npm run migration:generate -- <PascalCaseName>');
  process.exit(2);
}
const root = join(__dirname, '..');
execFileSync('npx', ['tsc', '-b', 'libs/persistence'], { cwd: root, stdio: 'inherit' });
const { createDataSource, pendingSchemaChanges } = require(join(root, 'libs/persistence/dist'));
const { MIGRATIONS } = require(join(root, 'migrations/dist'));

(async () => {
  const db = createDataSource({ sqlitePath: ':memory:', migrations: MIGRATIONS });
  await db.initialize();
  await db.runMigrations();
  const { up, down } = await pendingSchemaChanges(db);
  await db.destroy();
  if (up.length === 0) {
    console.log('entities and migrations agree: nothing to generate');
    return;
  }
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const q = (sql) => '    await queryRunner.query(' + JSON.stringify(sql) + ');';
  const source = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${up.map(q).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${down.reverse().map(q).join('\n')}
  }
}
`;
  const file = `${timestamp}-${name}`;
  writeFileSync(join(root, 'migrations', `${file}.ts`), source);
  const indexPath = join(root, 'migrations', 'index.ts');
  let index = readFileSync(indexPath, 'utf8');
  index = index.replace("import type { MigrationInterface } from 'typeorm';", `import type { MigrationInterface } from 'typeorm';\nimport { ${className} } from './${file}';`);
  index = index.replace(/= \[(.*)\];/s, (_, items) => `= [${items.trim() ? `${items.trim().replace(/,$/, '')}, ` : ''}${className}];`);
  writeFileSync(indexPath, index);
  console.log(`wrote migrations/${file}.ts (${up.length} statements); review it and commit`);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
