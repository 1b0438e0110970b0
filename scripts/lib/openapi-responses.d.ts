/** The controllers' response schemas (scripts/lib/openapi-responses.js). */
export interface ResponseSchemas {
  comment: string;
  controllers: Record<string, { description?: string }>;
  operations: Record<string, { schema?: Record<string, unknown>; description?: string }>;
  schemas: Record<string, Record<string, unknown>>;
}
export function generate(): ResponseSchemas;
export function render(result: ResponseSchemas): string;
export function apiTypeSchemas(names: string[]): { roots: Record<string, Record<string, unknown>>; schemas: Record<string, Record<string, unknown>> };
export const OUTPUT: string;
