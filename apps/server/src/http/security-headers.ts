import type { NextFunction, Request, Response } from 'express';

const NO_STORE = ['/service/rest/v1/security', '/service/rest/v1/audit'];

/** Headers of every REST/UI response: no MIME sniffing, no framing; security answers are never cached. */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  const path = req.path;
  if (NO_STORE.some((p) => path === p || path.startsWith(`${p}/`))) {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
  }
  next();
}

/** TRACE (and Microsoft's TRACK) echo requests back, credentials included: no route of Wharf answers them. */
export function refuseTrace(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'TRACE' && req.method !== 'TRACK') return next();
  res.status(405).setHeader('Allow', 'GET, HEAD, POST, PUT, DELETE');
  res.json({ status: 405, message: `${req.method} is not supported` });
}
