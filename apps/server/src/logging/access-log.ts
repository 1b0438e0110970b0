import type { ObservedRequest } from '../http/request-observer';
import type { WharfLogger } from './wharf-logger';

/** Health probes come every few seconds from every load balancer and kubelet: logged at debug only. */
const PROBES = /^\/service\/rest\/v1\/status(\/|$)|^\/service\/health\//;

const SUMMARISED = ['method', 'path', 'query', 'status', 'bytesOut', 'durationMs', 'completed'];

/** One line per request (context `HTTP`): method, path (secret-looking query values masked), status, bytes, time, repository, user. */
export function accessLog(logger: WharfLogger): (request: ObservedRequest) => void {
  return (r) => {
    const level = PROBES.test(r.path) ? 'debug' : 'info';
    if (!logger.enabled(level)) return;
    const target = r.query ? `${r.path}?${r.query}` : r.path;
    logger.emit({
      level,
      context: 'HTTP',
      msg: `${r.method} ${target} ${r.status} ${r.bytesOut}B ${(r.seconds * 1000).toFixed(1)}ms${r.completed ? '' : ' (client went away)'}`,
      inMessage: SUMMARISED,
      fields: {
        method: r.method,
        path: r.path,
        ...(r.query ? { query: r.query } : {}),
        status: r.status,
        bytesIn: r.bytesIn,
        bytesOut: r.bytesOut,
        durationMs: Math.round(r.seconds * 1e6) / 1e3,
        ...(r.repository !== undefined ? { repository: r.repository } : {}),
        ...(r.user !== undefined ? { user: r.user } : {}),
        ...(r.remoteAddress !== undefined ? { remoteAddress: r.remoteAddress } : {}),
        ...(r.completed ? {} : { completed: false }),
      },
    });
  };
}
