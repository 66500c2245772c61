// The inbox: a typed command that writes (`log …`, `contact add …`, `settings …`) is committed to the
// InboxRequest table before the chat platform gets its acknowledgement, so nothing acknowledged
// lives only in one process's memory. The accepting process runs it at once under a lease; if that
// process dies, any replica (or the same one restarted on another host) claims it when the lease
// ends (sweepInbox, FOR UPDATE SKIP LOCKED as the outbox does) and finishes it. The answer goes out
// through the outbox (Slack's response_url while it is valid, else a direct message), in the same
// transaction that marks the request done: one answer, however many runners tried. A retry of the
// same request (Slack's X-Slack-Retry-Num, a double submission) meets the row by its key and is
// answered from the stored result. The use cases themselves are keyed by the same request ID, so
// running one twice (a lease that ran out mid-way) stores once.
import { parseCommand } from '../../domain/command.ts';
import { Prisma } from '../../db/generated/client.ts';
import { AppError, userMessageOf } from '../../lib/errors.ts';
import { formatDateTime } from '../../lib/time.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ServiceContext } from '../kernel/context.ts';
import { findPerson, timeZoneOf } from '../kernel/identify-person.ts';
import { enqueue } from '../outbox/outbox.ts';
import type { AcceptedRequest, CommandInput } from '../kernel/requests.ts';
import { handleCommand, type CommandResult } from './handle-command.ts';

/** How long a runner owns a request before another may take it over. Commands take well under a second. */
export const INBOX_LEASE_MS = 15_000;
/** A request whose runner died this many times is answered with an apology instead of run again. */
const MAX_ATTEMPTS = 5;
/** Done requests are kept this long, for Slack's retries and double submissions, then deleted. */
export const INBOX_KEEP_DONE_MS = 3_600_000;
/** Slack's response_url takes answers for 30 minutes; after that the answer goes as a direct message. */
const REPLY_URL_VALID_MS = 29 * 60_000;

export type Intake =
  /** Not a write, or from someone not on the roster: answer it directly (handleCommand). */
  | { state: 'direct' }
  /** Committed: acknowledge now. `run` is what this process will do next (runAccepted). */
  | { state: 'accepted'; run: AcceptedRequest }
  /** Seen before and done: this is what the person was answered. */
  | { state: 'answered'; message: ChatMessage }
  /** Seen before and still being done: acknowledge; the answer follows. */
  | { state: 'in-progress' };


/** The typed commands that store something; everything else is answered directly. */
export function isWriteCommand(text: string, options: { allowPrefix?: boolean } = {}): boolean {
  const cmd = parseCommand(text, options);
  if (cmd.kind !== 'sub' || !cmd.args) return false;
  if (cmd.sub === 'contact') return /^add\s/i.test(cmd.args);
  return cmd.sub === 'log' || cmd.sub === 'review' || cmd.sub === 'settings' || cmd.sub === 'snooze';
}

/** The request's key: a request ID is only unique for one person on one platform and workspace. */
export const inboxKey = (input: CommandInput) => `${input.source}:${input.actor.workspaceId}:${input.actor.userId}:${input.requestId}`;

/**
 * The adapters' entry point for what a person typed. A write is committed before this returns
 * `accepted` (the adapter then acknowledges) and queued to run in this process (ctx.runInbox);
 * `answerHere` leaves the running to the caller (Teams answers within its turn: runAccepted).
 */
export async function acceptCommand(ctx: ServiceContext, input: CommandInput, options: { answerHere?: boolean } = {}): Promise<Intake> {
  if (!isWriteCommand(input.text, { allowPrefix: input.allowPrefix })) return { state: 'direct' };
  const person = await findPerson(ctx, input.actor);
  if (!person) return { state: 'direct' }; // the direct path explains the roster politely
  const key = inboxKey(input);
  const now = ctx.clock.now();
  const lockedUntil = new Date(now.getTime() + INBOX_LEASE_MS);
  const { count } = await ctx.db.inboxRequest.createMany({
    data: [{
      key, platform: input.source, workspaceId: input.actor.workspaceId, userId: input.actor.userId, personId: person.id,
      input: input as unknown as Prisma.InputJsonValue, lockedUntil, attempts: 1, createdAt: now,
    }],
    skipDuplicates: true,
  });
  if (count === 0) {
    const seen = await ctx.db.inboxRequest.findUnique({ where: { key }, select: { status: true, result: true } });
    if (seen?.status === 'done' && seen.result) return { state: 'answered', message: seen.result as unknown as ChatMessage };
    return { state: 'in-progress' };
  }
  const run: AcceptedRequest = { key, input, personId: person.id, lockedUntil, createdAt: now, attempts: 1 };
  if (!options.answerHere) ctx.runInbox?.(run);
  return { state: 'accepted', run };
}

/**
 * Does an accepted request and records its answer. `answer: 'outbox'` (the default) sends the answer
 * through the outbox in the same transaction; `'here'` returns it for the caller to show (Teams).
 * Returns undefined when the lease was lost meanwhile (another runner answers).
 */
export async function runAccepted(ctx: ServiceContext, req: AcceptedRequest, options: { answer?: 'outbox' | 'here' } = {}): Promise<ChatMessage | undefined> {
  let message: ChatMessage;
  let failed = false;
  if (req.attempts > MAX_ATTEMPTS) {
    ctx.log.error({ key: req.key, attempts: req.attempts }, 'an acknowledged command was given up after its runners kept dying');
    message = text('That could not be done, and nothing more will be tried. Please send it again; if it fails again, tell your training provider.');
    failed = true;
  } else {
    try {
      message = messageOf(await handleCommand(ctx, req.input));
    } catch (err) {
      failed = true;
      if (err instanceof AppError) ctx.log.info({ key: req.key, code: err.code }, 'request refused');
      else ctx.log.error({ err, key: req.key }, 'an acknowledged command failed');
      // A database outage mid-way: leave the request to be tried again when the lease ends.
      if (!(err instanceof AppError) && isConnectionError(err)) return undefined;
      message = text(userMessageOf(err));
    }
  }
  const now = ctx.clock.now();
  const late = now.getTime() - req.createdAt.getTime() > 60_000 && options.answer !== 'here';
  const answer: ChatMessage = late
    ? { fallback: message.fallback, blocks: [{ type: 'context', text: `About what you sent at ${await sentAt(ctx, req)}: the bot was interrupted before it could answer.` }, ...message.blocks] }
    : message;
  const kept = await ctx.db.$transaction(async (tx) => {
    const { count } = await tx.inboxRequest.updateMany({
      where: { key: req.key, status: 'pending', lockedUntil: req.lockedUntil },
      data: { status: 'done', result: answer as unknown as Prisma.InputJsonValue, input: Prisma.DbNull, lockedUntil: null, doneAt: now },
    });
    if (count === 0 || options.answer === 'here') return count > 0;
    const replyUrl = req.input.replyUrl && now.getTime() - req.createdAt.getTime() < REPLY_URL_VALID_MS ? req.input.replyUrl : undefined;
    await enqueue(tx, {
      dedupeKey: `inbox:${req.key}:answer`, recipientId: req.personId, kind: 'command_answer',
      payload: { purpose: 'notice', message: answer, ...(replyUrl ? { replyUrl, replyBy: new Date(req.createdAt.getTime() + REPLY_URL_VALID_MS).toISOString() } : {}) },
    });
    return true;
  });
  if (!kept) {
    ctx.log.warn({ key: req.key }, 'an acknowledged command\'s lease ran out while it was done; its new runner answers');
    return undefined;
  }
  if (options.answer !== 'here') ctx.kickOutbox();
  if (!failed) ctx.log.debug({ key: req.key }, 'acknowledged command done');
  return answer;
}

type ClaimedRow = { key: string; input: unknown; personId: string; lockedUntil: Date; createdAt: Date; attempts: number };

/**
 * Takes over requests whose runner's lease has ended (a process killed after its acknowledgement)
 * and does them; deletes done requests older than INBOX_KEEP_DONE_MS. Any replica may run it at
 * any time: SKIP LOCKED and the lease keep each request to one runner.
 */
export async function sweepInbox(ctx: ServiceContext, options: { now?: Date; limit?: number } = {}): Promise<{ recovered: number; deleted: number }> {
  const now = options.now ?? ctx.clock.now();
  const until = new Date(now.getTime() + INBOX_LEASE_MS);
  const rows = await ctx.db.$queryRawUnsafe<ClaimedRow[]>(
    `WITH due AS MATERIALIZED (
       SELECT key FROM "InboxRequest"
       WHERE status = 'pending' AND ("lockedUntil" IS NULL OR "lockedUntil" <= $2::timestamp(3))
       ORDER BY "createdAt"
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
     UPDATE "InboxRequest" AS r SET "lockedUntil" = $1::timestamp(3), attempts = r.attempts + 1
     FROM due WHERE r.key = due.key
     RETURNING r.key, r.input, r."personId", r."lockedUntil", r."createdAt", r.attempts`,
    until.toISOString(), now.toISOString(), options.limit ?? 50,
  );
  let recovered = 0;
  for (const row of rows) {
    const req: AcceptedRequest = { ...row, input: row.input as CommandInput };
    if (await runAccepted(ctx, req).catch((err: unknown) => ctx.log.error({ err, key: row.key }, 'taking over an acknowledged command failed'))) recovered++;
  }
  if (rows.length) ctx.log.warn({ claimed: rows.length, recovered }, 'acknowledged commands whose runner stopped were done now');
  const { count: deleted } = await ctx.db.inboxRequest.deleteMany({ where: { status: 'done', doneAt: { lt: new Date(now.getTime() - INBOX_KEEP_DONE_MS) } } });
  return { recovered, deleted };
}

async function sentAt(ctx: ServiceContext, req: AcceptedRequest): Promise<string> {
  const person = await findPerson(ctx, req.input.actor).catch(() => null);
  return formatDateTime(req.createdAt, person ? timeZoneOf(ctx, person) : ctx.defaultTimeZone);
}

/** A command's result as the message that answers it (a form cannot be opened without the person). */
function messageOf(result: CommandResult): ChatMessage {
  return result.kind === 'message' || result.kind === 'file' ? result.message : text('That needs a form: send the command again to open it.');
}

/** Lost connections and pool time-outs: the request is tried again rather than answered with a failure. */
function isConnectionError(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const code = String(e.code ?? '');
    if (/^(P1001|P1017|P2024|57P0[123]|08\d\d\d|ECONNREFUSED|ECONNRESET|EPIPE)$/.test(code)) return true;
    if (/terminating connection|Connection terminated|connection is closed|server closed the connection|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET/i.test(String(e.message ?? ''))) return true;
  }
  return false;
}

const text = (t: string): ChatMessage => ({ fallback: t, blocks: [{ type: 'text', text: t }] });
