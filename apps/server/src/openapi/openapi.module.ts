import { Module } from '@nestjs/common';
import { OpenApiDocuments } from './openapi-document';
import { OpenApiController } from './openapi.controller';

/** `/service/rest/swagger.json` and the API browser; the document is built on first use (openapi-document.ts). */
@Module({
  controllers: [OpenApiController],
  providers: [OpenApiDocuments],
  exports: [OpenApiDocuments],
})
export class OpenApiModule {}
