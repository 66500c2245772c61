// Commands that write (`/evidence log …`) are written down in a local journal before Slack gets its
// acknowledgement, then done by a small worker, a few at a time. So:
// - the acknowledgement never waits for the database (Slack allows 3 s; a Monday-morning burst
//   would otherwise queue every acknowledgement behind every write);
// - a burst waits in the queue instead of exhausting the database connection pool;
// - a command acknowledged just before a crash is still done: the next process on this host replays
//   the journal, and the answer then comes as a direct message through the outbox.
// The adapter calls accept(); when it says `accepted`, it acknowledges at once, awaits `result`,
// shows it, and calls finished() so the journal can forget the command.
import { rmSync } from 'node:fs';
import { parseCommand } from '../domain/command.ts';
import { AppError } from '../lib/errors.ts';
import { claimOrphans, openJournal, type Journal } from '../lib/journal.ts';
import { formatDateTime } from '../lib/time.ts';
import type { ChatMessage } from '../ports/message.ts';
import type { ServiceContext } from './context.ts';
import { handleCommand, type CommandInput, type CommandResult } from './handle-command.ts';
import { findPerson, timeZoneOf } from './identify-person.ts';
import { enqueue } from './outbox.ts';

export type Accepted =
  | { accepted: false }
  | {
      accepted: true;
      /** The command's outcome (it rejects with what the person should be told). */
      result: Promise<CommandResult>;
      /** Call once the answer has been shown (or failed to be): the command is then forgotten. */
      finished(): void;
    };

export interface CommandInbox {
  accept(input: CommandInput): Accepted;
  /** Replays what dead processes on this host acknowledged and did not finish. */
  recover(): Promise<{ replayed: number; failed: number }>;
  /** Resolves once every accepted command has been done and answered (or `timeoutMs` passed). */
  drain(timeoutMs?: number): Promise<void>;
  close(): void;
}

type Record_ = { t: 'accepted'; key: string; input: CommandInput; at: string } | { t: 'finished'; key: string };

/** The commands worth a journal line: the ones that store something. */
export function isDurableCommand(text: string, options: { allowPrefix?: boolean } = {}): boolean {
  const cmd = parseCommand(text, options);
  return cmd.kind === 'sub' && cmd.sub === 'log' && cmd.args.length > 0;
}

/** The acting adapter's own entry point: a durable command goes through the inbox, the rest not. */
export function acceptCommand(ctx: ServiceContext, input: CommandInput): Accepted {
  if (!ctx.commandInbox || !isDurableCommand(input.text, { allowPrefix: input.allowPrefix })) return { accepted: false };
  return ctx.commandInbox.accept(input);
}

export interface CommandInboxOptions {
  /** DATA_DIR/inbox */
  dir: string;
  /** Commands done at the same time: 1 on the embedded database (it runs one query at a time). */
  concurrency: number;
  /** Defaults to the core's dispatcher. */
  run?: (ctx: ServiceContext, input: CommandInput) => Promise<CommandResult>;
  /**
   * Acknowledgements first: while commands keep arriving (one within `quietMs` of the last), the
   * queued ones wait, so a burst is acknowledged at the speed of the chat framework itself; they
   * are done in the first quiet moment, and never later than `maxDeferMs` after they arrived.
   * Defaults: 20 ms and 2 s; 0 does every command at once.
   */
  quietMs?: number;
  maxDeferMs?: number;
}

export function createCommandInbox(getCtx: () => ServiceContext, options: CommandInboxOptions): CommandInbox {
  const run = options.run ?? handleCommand;
  // Claim the journals of earlier processes before opening ours (ours may carry a reused PID).
  const orphans = claimOrphans(options.dir);
  const journal: Journal = openJournal(options.dir);
  const queue: { at: number; job: () => Promise<void> }[] = [];
  const quietMs = options.quietMs ?? 20;
  const maxDeferMs = options.maxDeferMs ?? 2_000;
  let lastAcceptAt = -Infinity;
  let wake: NodeJS.Timeout | undefined;
  const open = new Map<string, Promise<CommandResult>>();
  let running = 0;
  let pending = 0;
  let closed = false;
  let idle: (() => void)[] = [];
  let recovering: Promise<unknown> | undefined;

  const pump = () => {
    while (running < options.concurrency && queue.length) {
      const now = performance.now();
      const busyFor = quietMs - (now - lastAcceptAt);
      const mayWait = maxDeferMs - (now - queue[0]!.at);
      if (busyFor > 0 && mayWait > 0) {
        wake ??= setTimeout(() => {
          wake = undefined;
          pump();
        }, Math.ceil(Math.min(busyFor, mayWait)));
        return;
      }
      const { job } = queue.shift()!;
      running++;
      // A turn of the event loop between commands, so acknowledgements are never queued behind them.
      void job().finally(() => {
        running--;
        setImmediate(pump);
      });
    }
  };

  const settleOne = (key: string) => {
    open.delete(key);
    pending--;
    // Lost in a crash (it waits up to 100 ms for a write), the command is replayed: stored once,
    // by its key, but its answer is sent again as a direct message.
    if (!closed) journal.appendLazily({ t: 'finished', key } satisfies Record_);
    // Nothing pending: the journal keeps no one's words longer than it must.
    if (pending === 0) {
      if (!closed) journal.truncate();
      for (const resolve of idle) resolve();
      idle = [];
    }
  };

  return {
    accept(input) {
      if (closed) return { accepted: false };
      const key = `${input.source}:${input.requestId}`;
      const already = open.get(key);
      if (already) return { accepted: true, result: already, finished: () => {} }; // a retry while the first runs
      journal.append({ t: 'accepted', key, input, at: getCtx().clock.now().toISOString() } satisfies Record_);
      pending++;
      lastAcceptAt = performance.now();
      const result = new Promise<CommandResult>((resolve, reject) => {
        queue.push({ at: lastAcceptAt, job: () => run(getCtx(), input).then(resolve, reject) });
      });
      open.set(key, result);
      result.catch(() => {}); // the adapter handles it; never an unhandled rejection here
      pump();
      let done = false;
      return {
        accepted: true,
        result,
        finished: () => {
          if (done) return;
          done = true;
          settleOne(key);
        },
      };
    },

    recover() {
      const replaying = replayOrphans();
      recovering = replaying.catch(() => undefined);
      return replaying;
    },

    async drain(timeoutMs = 20_000) {
      await recovering; // a replay under way finishes before the database closes
      if (pending === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        idle.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },

    close() {
      if (closed) return;
      closed = true;
      clearTimeout(wake);
      // Whatever is still pending stays in the file for the next start to replay.
      journal.close({ remove: pending === 0 });
    },
  };

  async function replayOrphans(): Promise<{ replayed: number; failed: number }> {
    let replayed = 0;
    let failed = 0;
    for (const orphan of orphans.splice(0)) {
      const finished = new Set<string>();
      const accepted = new Map<string, { input: CommandInput; at: string }>();
      for (const r of orphan.records as Record_[]) {
        if (r?.t === 'finished') finished.add(r.key);
        if (r?.t === 'accepted' && r.input) accepted.set(r.key, { input: r.input, at: r.at });
      }
      for (const [key, { input, at }] of accepted) {
        if (finished.has(key)) continue;
        const ok = await replay(getCtx(), run, key, input, new Date(at));
        if (ok) replayed++;
        else failed++;
      }
      rmSync(orphan.path, { force: true });
    }
    if (replayed || failed) getCtx().log.warn({ replayed, failed }, 'commands acknowledged before a restart were done now');
    return { replayed, failed };
  }
}

/** Does one command from a dead process's journal and sends its answer as a direct message. */
async function replay(
  ctx: ServiceContext,
  run: (ctx: ServiceContext, input: CommandInput) => Promise<CommandResult>,
  key: string,
  input: CommandInput,
  at: Date,
): Promise<boolean> {
  const person = await findPerson(ctx, input.actor).catch(() => null);
  if (!person) {
    ctx.log.warn({ key }, 'a command from before a restart came from someone no longer on the roster; dropped');
    return false;
  }
  const when = formatDateTime(at, timeZoneOf(ctx, person));
  let message: ChatMessage;
  let ok = true;
  try {
    const result = await run(ctx, input);
    message = result.kind === 'message' ? result.message : result.kind === 'file' ? result.message : text('That needs a form: send the command again to open it.');
  } catch (err) {
    ok = false;
    if (!(err instanceof AppError)) ctx.log.error({ err, key }, 'a command from before a restart failed');
    message = text(err instanceof AppError ? err.userMessage : 'It could not be done after the restart, and nothing was saved. Please send it again.');
  }
  const late: ChatMessage = {
    fallback: message.fallback,
    blocks: [{ type: 'context', text: `About what you sent at ${when}: the bot restarted before it could answer.` }, ...message.blocks],
  };
  await enqueue(ctx.db, { dedupeKey: `command:${key}:answer`, recipientId: person.id, kind: 'command_answer', payload: { purpose: 'notice', message: late } });
  ctx.kickOutbox();
  return ok;
}

const text = (t: string): ChatMessage => ({ fallback: t, blocks: [{ type: 'text', text: t }] });
