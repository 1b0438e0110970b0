import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { ValidationErrorJson } from '@wharf/api-types';

/** Flattens class-validator's tree into one entry per bad field, named by its JSON path (Nexus's ValidationErrorXO shape). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ValidationErrorJson[] {
  const out: ValidationErrorJson[] = [];
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      // A field this API does not have is refused rather than dropped: a script must not believe it took effect.
      const text = constraint === 'whitelistValidation' ? `${path} is not supported by Wharf (no such field)` : qualify(message, error.property, path);
      out.push({ id: path, message: text });
    }
    out.push(...flattenValidationErrors(error.children ?? [], path));
  }
  return out;
}

/** class-validator names only the property ("httpPort must ..."); say which one ("docker.httpPort must ..."). */
function qualify(message: string, property: string, path: string): string {
  if (message.startsWith(path)) return message;
  if (message.startsWith(`${property} `)) return path + message.slice(property.length);
  return `${path}: ${message}`;
}

export class RestValidationError extends BadRequestException {
  constructor(readonly fields: ValidationErrorJson[]) {
    super(fields);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new RestValidationError(flattenValidationErrors(errors)),
  });
}
