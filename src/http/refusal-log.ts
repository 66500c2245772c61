// Refused requests are logged as a count, not one line each: whoever sends thousands of unsigned
// or oversized requests would otherwise write thousands of log lines, which costs disk and CPU
// and buries everything else. The first refusal after a quiet spell is logged at once; the rest
// are counted and summed up in one line per window.
import type { Logger } from '../lib/logger.ts';

export interface RefusalLogOptions {
  /** The log line's message. */
  message: string;
  level?: 'warn' | 'error';
  /** At most one line per this many milliseconds (default 10 s). */
  windowMs?: number;
}

export interface RefusalLog {
  /** Counts one refusal; `detail` (no secrets, no people's text) goes in the next line. */
  note(reason: string, detail?: Record<string, unknown>): void;
  /** Writes what is counted now, and stops the timer (on shutdown). */
  flush(): void;
}

export function createRefusalLog(log: Logger, options: RefusalLogOptions): RefusalLog {
  const windowMs = options.windowMs ?? 10_000;
  const level = options.level ?? 'warn';
  let byReason = new Map<string, number>();
  let latest: Record<string, unknown> | undefined;
  let lastLineAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    if (byReason.size === 0) return;
    let refused = 0;
    for (const n of byReason.values()) refused += n;
    const line = { refused, byReason: Object.fromEntries(byReason), windowSeconds: windowMs / 1000, ...(latest ? { latest } : {}) };
    byReason = new Map();
    latest = undefined;
    lastLineAt = Date.now();
    log[level](line, options.message);
  }

  return {
    note(reason, detail) {
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      if (detail) latest = { reason, ...detail };
      const wait = lastLineAt + windowMs - Date.now();
      if (wait <= 0) return flush();
      if (!timer) {
        timer = setTimeout(flush, wait);
        // A pending summary must not keep the process alive on shutdown.
        timer.unref();
      }
    },
    flush,
  };
}
