// Commands that write (`/evidence log …`) are written down in a local journal before Slack gets its
// acknowledgement, then done a few at a time, in the running bot by its worker thread. So:
// - the acknowledgement never waits for the database (Slack allows 3 s; a Monday-morning burst
//   would otherwise queue every acknowledgement behind every write);
// - a burst waits in the queue instead of exhausting the database connection pool;
// - a command acknowledged just before a crash is still done: the next process on this host replays
//   the journal, and the answer then comes as a direct message through the outbox.
// The adapter calls accept(); when it says `accepted`, it acknowledges at once, awaits `result`,
// shows it, and calls finished() so the journal can forget the command. In the running bot the
// command is handed to the worker thread (`handOff`, createCommandRunner), which answers it itself
// and reports it done; accept() then says `answeredElsewhere` and the adapter only acknowledges.
import { rmSync } from 'node:fs';
import { parseCommand } from '../../domain/command.ts';
import { AppError, userMessageOf } from '../../lib/errors.ts';
import { claimOrphans, openJournal, type Journal } from '../../lib/journal.ts';
import { formatDateTime } from '../../lib/time.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ServiceContext } from '../kernel/context.ts';
import { handleCommand, type CommandInput, type CommandResult } from './handle-command.ts';
import { findPerson, timeZoneOf } from '../kernel/identify-person.ts';
import { enqueue } from '../outbox/outbox.ts';

export type Accepted =
  | { accepted: false }
  /** Handed to the other thread, which answers the person itself: the adapter only acknowledges. */
  | { accepted: true; answeredElsewhere: true }
  | {
      accepted: true;
      answeredElsewhere?: false;
      /** The command's outcome (it rejects with what the person should be told). */
      result: Promise<CommandResult>;
      /** Call once the answer has been shown (or failed to be): the command is then forgotten. */
      finished(): void;
    };

export interface CommandInbox {
  accept(input: CommandInput): Accepted;
  /** Commands handed off (`handOff`) that the other thread has done and answered. */
  completed(keys: readonly string[]): void;
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

/** How many acknowledged commands are done at once: one on the embedded database (it runs one query at a time). */
export const commandConcurrency = (databaseKind: 'pglite' | 'postgresql'): number => (databaseKind === 'pglite' ? 1 : 2);

export interface DeferralOptions {
  /**
   * Acknowledgements first: while commands keep arriving (one within `quietMs` of the last), the
   * queued ones wait, so a burst is acknowledged at the speed of the chat framework itself; they
   * are done in the first quiet moment, and never later than `maxDeferMs` after they arrived.
   * Defaults: 20 ms and 2 s; 0 does every command at once.
   */
  quietMs?: number;
  maxDeferMs?: number;
}

export interface CommandInboxOptions extends DeferralOptions {
  /** DATA_DIR/inbox */
  dir: string;
  /** Commands done at the same time (when not handed off): 1 on the embedded database (it runs one query at a time). */
  concurrency: number;
  /** Defaults to the core's dispatcher. Also does the replays. */
  run?: (ctx: ServiceContext, input: CommandInput) => Promise<CommandResult>;
  /**
   * Hands the accepted commands, a deferred batch at a time, to another thread (the worker thread,
   * src/worker/), which does them, answers each person itself (createCommandRunner) and reports
   * them back through completed(). Each command is its journal line, one string: a burst's waiting
   * writes cost the thread that answers Slack next to no memory or garbage collection, and the
   * other thread is not woken until the burst is over.
   */
  handOff?(lines: string[]): void;
}

/**
 * Holds what arrives until arrivals pause for `quietMs`, or the oldest has waited `maxDeferMs`,
 * then releases all of it at once (DeferralOptions).
 */
function createDeferral<T>(options: DeferralOptions, release: (items: T[]) => void) {
  const quietMs = options.quietMs ?? 20;
  const maxDeferMs = options.maxDeferMs ?? 2_000;
  let items: T[] = [];
  let firstAt = 0;
  let lastAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const releaseAll = () => {
    const out = items;
    items = [];
    release(out);
  };
  const check = () => {
    timer = undefined;
    const now = performance.now();
    const wait = Math.min(quietMs - (now - lastAt), maxDeferMs - (now - firstAt));
    if (wait > 0) timer = setTimeout(check, Math.ceil(wait));
    else releaseAll();
  };
  return {
    push(item: T) {
      lastAt = performance.now();
      if (!items.length) firstAt = lastAt;
      items.push(item);
      if (quietMs <= 0 || maxDeferMs <= 0) releaseAll();
      else timer ??= setTimeout(check, quietMs);
    },
    close() {
      clearTimeout(timer);
    },
  };
}

/** Runs jobs a few at a time, with a turn of the event loop between them (acknowledgements first). */
function createLimiter(concurrency: number) {
  const queue: (() => Promise<void>)[] = [];
  let running = 0;
  const pump = () => {
    while (running < concurrency && queue.length) {
      const job = queue.shift()!;
      running++;
      void job().finally(() => {
        running--;
        setImmediate(pump);
      });
    }
  };
  return {
    /** A batch may hold a whole burst: no spreading it into arguments. */
    push(jobs: (() => Promise<void>)[]) {
      for (const job of jobs) queue.push(job);
      pump();
    },
  };
}

export function createCommandInbox(getCtx: () => ServiceContext, options: CommandInboxOptions): CommandInbox {
  const run = options.run ?? handleCommand;
  // Claim the journals of earlier processes before opening ours (ours may carry a reused PID).
  const orphans = claimOrphans(options.dir);
  const journal: Journal = openJournal(options.dir);
  const limiter = createLimiter(options.concurrency);
  // Handed off: the journal lines wait here, and go to the other thread together.
  const handOffs = options.handOff ? createDeferral<string>(options, options.handOff) : undefined;
  const jobs = createDeferral<() => Promise<void>>(options, (ready) => limiter.push(ready));
  /** Accepted and not yet finished: each one's result (done here), or just its key (handed off). */
  const open = new Map<string, Promise<CommandResult> | undefined>();
  let closed = false;
  let idle: (() => void)[] = [];
  let recovering: Promise<unknown> | undefined;

  const settleOne = (key: string) => {
    if (!open.delete(key)) return;
    // Lost in a crash (it waits up to 100 ms for a write), the command is replayed: stored once,
    // by its key, but its answer is sent again as a direct message.
    if (!closed) journal.appendLazily({ t: 'finished', key } satisfies Record_);
    // Nothing pending: the journal keeps no one's words longer than it must.
    if (open.size === 0) {
      if (!closed) journal.truncate();
      for (const resolve of idle) resolve();
      idle = [];
    }
  };

  return {
    accept(input) {
      if (closed) return { accepted: false };
      const key = `${input.source}:${input.requestId}`;
      if (open.has(key)) { // a retry while the first runs
        const running = open.get(key);
        return running ? { accepted: true, result: running, finished: () => {} } : { accepted: true, answeredElsewhere: true };
      }
      const line = journal.append({ t: 'accepted', key, input, at: getCtx().clock.now().toISOString() } satisfies Record_);
      if (handOffs) {
        open.set(key, undefined);
        handOffs.push(line);
        return { accepted: true, answeredElsewhere: true };
      }
      const result = new Promise<CommandResult>((resolve, reject) => {
        jobs.push(() => run(getCtx(), input).then(resolve, reject));
      });
      open.set(key, result);
      result.catch(() => {}); // the adapter handles it; never an unhandled rejection here
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

    completed(keys) {
      for (const key of keys) settleOne(key);
    },

    recover() {
      const replaying = replayOrphans();
      recovering = replaying.catch(() => undefined);
      return replaying;
    },

    async drain(timeoutMs = 20_000) {
      await recovering; // a replay under way finishes before the database closes
      if (open.size === 0) return;
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
      handOffs?.close();
      jobs.close();
      // Whatever is still pending stays in the file for the next start to replay.
      journal.close({ remove: open.size === 0 });
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
    message = messageOf(await run(ctx, input));
  } catch (err) {
    ok = false;
    if (!(err instanceof AppError)) ctx.log.error({ err, key }, 'a command from before a restart failed');
    message = text(err instanceof AppError ? err.userMessage : 'It could not be done after the restart, and nothing was saved. Please send it again.');
  }
  await enqueueAnswer(ctx, key, person.id, {
    fallback: message.fallback,
    blocks: [{ type: 'context', text: `About what you sent at ${when}: the bot restarted before it could answer.` }, ...message.blocks],
  });
  return ok;
}

export interface CommandRunnerOptions {
  /** Commands done at the same time: 1 on the embedded database (it runs one query at a time). */
  concurrency: number;
  /** Answers a command through its replyUrl (Slack's response_url). Without it, or if it fails, the answer goes as a direct message. */
  respond?(replyUrl: string, message: ChatMessage): Promise<void>;
  /** Told once a command has been done and its answer sent (or queued in the outbox). */
  done(key: string): void;
}

/**
 * The other side of `handOff` (in the worker thread): does the handed-off commands, a few at a
 * time, and answers each one.
 */
export function createCommandRunner(getCtx: () => ServiceContext, options: CommandRunnerOptions): { push(lines: string[]): void } {
  const limiter = createLimiter(options.concurrency);
  const job = (line: string) => async () => {
    let key = '?';
    try {
      const record = JSON.parse(line) as Extract<Record_, { t: 'accepted' }>;
      key = record.key;
      await doAndAnswer(getCtx(), key, record.input, options.respond);
    } catch (err) {
      getCtx().log.error({ err, key }, 'an acknowledged command could not be answered');
    } finally {
      options.done(key);
    }
  };
  return {
    push: (lines) => limiter.push(lines.map(job)),
  };
}

async function doAndAnswer(ctx: ServiceContext, key: string, input: CommandInput, respond: CommandRunnerOptions['respond']): Promise<void> {
  let message: ChatMessage;
  try {
    message = messageOf(await handleCommand(ctx, input));
  } catch (err) {
    if (err instanceof AppError) ctx.log.info({ key, code: err.code }, 'request refused');
    else ctx.log.error({ err, key }, 'an acknowledged command failed');
    message = text(userMessageOf(err));
  }
  if (input.replyUrl && respond) {
    try {
      await respond(input.replyUrl, message);
      return;
    } catch (err) {
      ctx.log.warn({ err, key }, 'could not answer a command through its response_url; the answer goes as a direct message');
    }
  }
  const person = await findPerson(ctx, input.actor);
  if (person) await enqueueAnswer(ctx, key, person.id, message);
  else ctx.log.warn({ key }, 'a command\'s answer had no one on the roster to go to');
}

/** A command's result as the message that answers it (a form cannot be opened without the person). */
function messageOf(result: CommandResult): ChatMessage {
  return result.kind === 'message' || result.kind === 'file' ? result.message : text('That needs a form: send the command again to open it.');
}

/** A command's answer as a direct message, through the outbox (retried through an outage, sent once). */
async function enqueueAnswer(ctx: ServiceContext, key: string, recipientId: string, message: ChatMessage): Promise<void> {
  await enqueue(ctx.db, { dedupeKey: `command:${key}:answer`, recipientId, kind: 'command_answer', payload: { purpose: 'notice', message } });
  ctx.kickOutbox();
}

const text = (t: string): ChatMessage => ({ fallback: t, blocks: [{ type: 'text', text: t }] });
