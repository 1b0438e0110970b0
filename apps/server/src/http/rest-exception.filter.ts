import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ValidationErrorJson } from '@wharf/api-types';
import { RepositoryConflictError, RepositoryNotFoundError } from '@wharf/registry-core';
import type { Response } from 'express';
import { SecurityInputError, SecurityNotFoundError, ThrottledError } from '../security/domain/errors';
import { InvalidRealmsError } from '../security/domain/realms';
import { PortUnavailableError } from '../connectors/http-server';
import { InvalidRepositoryError } from '../admin/repositories/repositories.service';
import { RestValidationError } from './validation';
import { BlobStoreNotFoundError, InvalidBlobStoreError } from '../blobstores/blob-stores';
import { LifecycleInputError, LifecycleNotFoundError } from '../admin/lifecycle/lifecycle-errors';
import { TaskConflictError, TaskNotFoundError } from '../tasks/task-scheduler';

/** The one mapping of REST API errors: domain errors to 400/404, validation to per-field 400s, the rest to 500. */
@Catch()
export class RestExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('REST');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.map(exception);
    if (res.headersSent) return void res.end();
    res.status(status).json(body);
  }

  private map(exception: unknown): [number, unknown] {
    if (exception instanceof RestValidationError) return [400, exception.fields];
    if (exception instanceof InvalidRepositoryError) return [400, [{ id: exception.field, message: exception.message }] satisfies ValidationErrorJson[]];
    if (exception instanceof RepositoryConflictError || exception instanceof PortUnavailableError) {
      return [400, [{ id: '*', message: exception.message }] satisfies ValidationErrorJson[]];
    }
    if (exception instanceof InvalidBlobStoreError) return [400, [{ id: '*', message: exception.message }] satisfies ValidationErrorJson[]];
    if (exception instanceof RepositoryNotFoundError || exception instanceof SecurityNotFoundError || exception instanceof BlobStoreNotFoundError) return [404, { status: 404, message: exception.message }];
    if (exception instanceof SecurityInputError) return [400, [{ id: exception.field, message: exception.message }] satisfies ValidationErrorJson[]];
    if (exception instanceof InvalidRealmsError) return [400, [{ id: '*', message: exception.message }] satisfies ValidationErrorJson[]];
    if (exception instanceof LifecycleInputError) return [400, [{ id: exception.field, message: exception.message }] satisfies ValidationErrorJson[]];
    if (exception instanceof LifecycleNotFoundError || exception instanceof TaskNotFoundError) return [404, { status: 404, message: exception.message }];
    if (exception instanceof TaskConflictError) return [409, { status: 409, message: exception.message }];
    if (exception instanceof ThrottledError) return [429, { status: 429, message: exception.message }];
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? exception.message);
      return [exception.getStatus(), { status: exception.getStatus(), message }];
    }
    const err = exception instanceof Error ? exception : new Error(String(exception));
    this.log.error(err.message, err.stack);
    return [500, { status: 500, message: 'internal error; see the server log' }];
  }
}
