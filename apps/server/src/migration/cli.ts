import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { S3BlobStoreConfig } from '@wharf/registry-core';
import { migrateInstallation } from './migrate-installation';

const USAGE = `Moves a stopped single-node Wharf to PostgreSQL (and its blobs to an S3 bucket).

  npm run migrate-installation -- --data-dir ./data --database-url postgres://user:pw@host/db [--s3-store store.json]

  --data-dir      the Wharf data directory (wharf.db, blobs/, secrets/config.key); default $WHARF_DATA_DIR or ./data
  --database-url  a new, empty PostgreSQL database; default $WHARF_DATABASE_URL
  --s3-store      a file with the JSON body of POST /service/rest/v1/blobstores/s3: the blobs of the "default"
                  store are copied into that bucket and every repository on "default" moves to it

Afterwards start every replica with WHARF_DATABASE_URL and WHARF_SECRET_KEY_FILE=<data-dir>/secrets/config.key
(a copy of that file). See docs/replicas.md.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'data-dir': { type: 'string' }, 'database-url': { type: 'string' }, 's3-store': { type: 'string' }, help: { type: 'boolean' } },
  });
  const dataDir = values['data-dir'] ?? process.env.WHARF_DATA_DIR ?? './data';
  const databaseUrl = values['database-url'] ?? process.env.WHARF_DATABASE_URL;
  if (values.help || !databaseUrl) {
    process.stdout.write(`${USAGE}\n`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const s3Store = values['s3-store'] ? ({ type: 's3', ...JSON.parse(await readFile(values['s3-store'], 'utf8')) } as S3BlobStoreConfig) : undefined;
  const report = await migrateInstallation({
    dataDir: resolve(dataDir),
    databaseUrl,
    ...(s3Store ? { s3Store } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const rows = Object.values(report.tables).reduce((a, b) => a + b, 0);
  process.stdout.write(`done: ${rows} rows, ${report.blobs.copied} blobs copied, ${report.repositories.length} repositories moved to the S3 store\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`migrate-installation: ${err.message}\n`);
  process.exitCode = 1;
});
