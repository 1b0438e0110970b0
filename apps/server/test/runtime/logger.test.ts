import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logging/wharf-logger';

function capture(): { out: Writable & { isTTY?: boolean }; lines: () => string[] } {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { out, lines: () => chunks.join('').split('\n').filter((l) => l !== '') };
}

describe('WharfLogger', () => {
  it('json: one object per line with ISO time, level name, context, message and fields', () => {
    const { out, lines } = capture();
    const log = createLogger({ logLevel: 'info', logFormat: 'json' }, out);
    log.log('started', 'Wharf');
    log.log({ msg: 'GET / 200', status: 200, path: '/' }, 'HTTP');
    log.error('boom', 'Error: boom\n    at x (y.js:1:1)', 'Proxy');
    const events = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ level: 'info', context: 'Wharf', msg: 'started' });
    expect(events[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(events[1]).toMatchObject({ context: 'HTTP', msg: 'GET / 200', status: 200, path: '/' });
    expect(events[2]).toMatchObject({ level: 'error', context: 'Proxy', msg: 'boom' });
    expect(events[2]!.stack).toContain('at x');
  });

  it("puts Nest's start-up lines (modules, mapped routes) at debug", () => {
    for (const [level, expected] of [['info', 0], ['debug', 2]] as const) {
      const { out, lines } = capture();
      const log = createLogger({ logLevel: level, logFormat: 'json' }, out);
      log.log('Mapped {/service/rest/v1/status, GET} route', 'RouterExplorer');
      log.log('AppModule dependencies initialized', 'InstanceLoader');
      expect(lines()).toHaveLength(expected);
    }
  });

  it('text: ISO time, padded level, context, message; no colour when the stream is not a terminal', () => {
    const { out, lines } = capture();
    createLogger({ logLevel: 'debug', logFormat: 'text' }, out).warn('careful', 'Group');
    expect(lines()).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}WARN \[Group\] careful$/)]);
  });

  it('text: colours the level on a terminal', () => {
    const { out, lines } = capture();
    out.isTTY = true;
    createLogger({ logLevel: 'info', logFormat: 'text' }, out).log('hello', 'Wharf');
    expect(lines()[0]).toContain('\x1b[32m');
  });

  it('drops what is below the level', () => {
    const { out, lines } = capture();
    const log = createLogger({ logLevel: 'warn', logFormat: 'text' }, out);
    log.log('info', 'X');
    log.debug('debug', 'X');
    log.warn('warn', 'X');
    expect(lines()).toHaveLength(1);
  });
});

describe('WHARF_LOG_FORMAT', () => {
  it.each([
    [undefined, 'text'],
    ['json', 'json'],
    ['JSON', 'json'],
    ['text', 'text'],
  ])('%s -> %s', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { WHARF_LOG_FORMAT: value }).logFormat).toBe(expected);
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => loadConfig({ WHARF_LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => loadConfig({ WHARF_LOG_FORMAT: 'xml' })).toThrow(/WHARF_LOG_FORMAT/);
  });
});
