import { BadRequestException, Injectable, type NestMiddleware, PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { readBodyUpTo } from './read-body';

const LIMIT = 1024 * 1024;

function tooLarge(): PayloadTooLargeException {
  return new PayloadTooLargeException(`request body is larger than ${LIMIT} bytes`);
}

/** Parses JSON request bodies inside Nest, so malformed JSON reaches the one REST exception filter. */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return next();
    // Over the limit, the rest is left unread: the 413 closes the connection lingering.
    const body = await readBodyUpTo(req, LIMIT);
    if (body === null) throw tooLarge();
    const text = body.toString('utf8');
    if (text.trim() === '') {
      req.body = undefined;
      return next();
    }
    const type = req.headers['content-type'] ?? '';
    // Nexus's change-password takes the new password as text/plain.
    if (/^text\/plain/i.test(type) && (req.originalUrl ?? req.url).split('?')[0]!.endsWith('/change-password')) {
      req.body = text;
      return next();
    }
    if (!/json/i.test(type) && type !== '') throw new BadRequestException(`Content-Type must be application/json, not ${type}`);
    try {
      req.body = JSON.parse(text);
    } catch {
      // Not the parser's message: it quotes the body, which may hold a password.
      throw new BadRequestException('request body is not valid JSON');
    }
    next();
  }
}
