// Bolt and the Web API client log through this adapter into our pino logger. Their debug output
// carries request bodies (people's text), so it is dropped; info and above keep a `component` tag.
import type { Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../src/lib/logger.ts';

export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack' });
  let level = 'info' as LogLevel;
  let name = 'bolt';
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: () => {},
    info: (...msg: unknown[]) => child.info({ source: name }, text(msg)),
    warn: (...msg: unknown[]) => child.warn({ source: name }, text(msg)),
    error: (...msg: unknown[]) => child.error({ source: name }, text(msg)),
    setLevel: (l: LogLevel) => { level = l; },
    getLevel: () => level,
    setName: (n: string) => { name = n; },
  };
}
