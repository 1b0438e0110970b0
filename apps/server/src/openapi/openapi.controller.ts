import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { OpenApiDocuments } from './openapi-document';
import type { OpenApiDocument } from './openapi-types';

/** swagger-ui-dist's files the page loads, with their types (nothing else of the package is served). */
const UI_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Wharf REST API</title>
<link rel="stylesheet" href="/service/rest/swagger-ui/swagger-ui.css">
<link rel="icon" type="image/png" href="/service/rest/swagger-ui/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/service/rest/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/service/rest/swagger-ui/swagger-ui-standalone-preset.js"></script>
<script src="/service/rest/swagger-ui/wharf-initializer.js"></script>
</body>
</html>
`;

// A file, not an inline script: the page's Content-Security-Policy allows scripts from Wharf only.
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/service/rest/swagger.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/**
 * The REST API described (anonymous, as the API's shape is no secret): the OpenAPI 3 document where Nexus serves
 * its own, and Swagger UI to browse it, served from the swagger-ui-dist package (no CDN: works offline).
 */
@Controller('service/rest')
export class OpenApiController {
  constructor(private readonly documents: OpenApiDocuments) {}

  @Get('swagger.json')
  @Header('Cache-Control', 'no-cache')
  document(): Promise<OpenApiDocument> {
    return this.documents.get();
  }

  /** The API browser (with or without the trailing slash: the page's links are absolute). */
  @Get('swagger-ui')
  page(@Res() res: Response): void {
    res.setHeader('Content-Security-Policy', CSP);
    res.type('html').send(PAGE);
  }

  @Get('swagger-ui/:file')
  file(@Param('file') file: string, @Res() res: Response): void {
    if (file === 'wharf-initializer.js') {
      res.type('text/javascript; charset=utf-8').send(INITIALIZER);
      return;
    }
    const type = UI_FILES[file];
    if (!type) throw new NotFoundException(`no file ${file} in the API browser`);
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'public, max-age=86400');
    createReadStream(join(dirname(require.resolve('swagger-ui-dist/package.json')), file))
      .on('error', (err) => res.destroy(err))
      .pipe(res);
  }
}
