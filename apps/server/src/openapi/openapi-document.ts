import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, type INestApplication } from '@nestjs/common';
import type { OpenApiDocument } from './openapi-types';

/**
 * The REST API's OpenAPI document, built on the first request and kept: building it loads @nestjs/swagger, which
 * an idle Wharf should not carry (heap and start-up time), so nothing of it is imported before.
 */
@Injectable()
export class OpenApiDocuments {
  private app: INestApplication | null = null;
  private document: Promise<OpenApiDocument> | null = null;

  /** The application whose controllers the document describes (set once it is initialised). */
  attach(app: INestApplication): void {
    this.app = app;
  }

  get(): Promise<OpenApiDocument> {
    const app = this.app;
    if (!app) return Promise.reject(new Error('the OpenAPI document is asked for before the application is ready'));
    this.document ??= (async () => {
      const { buildDocument } = await import('./build-document');
      const pkg = JSON.parse(await readFile(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
      return buildDocument(app, pkg.version);
    })();
    // A failure is not kept: the next request tries again.
    this.document.catch(() => (this.document = null));
    return this.document;
  }
}
