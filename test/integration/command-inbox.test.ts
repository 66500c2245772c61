// The command inbox: writes are journaled before the acknowledgement, done a few at a time, and a
// journal left by a process that died is replayed by the next one, with the answer as a DM.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptCommand, createCommandInbox, createCommandRunner, isDurableCommand, type Accepted } from '../../src/services/commands/command-inbox.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import type { CommandInput, CommandResult } from '../../src/services/commands/handle-command.ts';
import { createTestContext, loadRoster, PEOPLE, type TestContext } from '../helpers/context.ts';

const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;
const journalFile = (dir: string, pid: number) => join(dir, `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}.${pid}.ndjson`);
const logInput = (requestId: string, text = 'log Screened a candidate by phone #U7:1.1'): CommandInput => ({ actor: PEOPLE.learner, text, requestId, source: 'slack' });

/** An acceptance done on this thread (no hand-off): its result and finished(). */
function local(a: Accepted): Extract<Accepted, { result: unknown }> {
  if (!a.accepted || a.answeredElsewhere) throw new Error(`expected a command accepted and done here, got ${JSON.stringify(a)}`);
  return a;
}

describe('command inbox', () => {
  let t: TestContext;
  let dir: string;
  beforeAll(async () => {
    t = await createTestContext();
    await loadRoster(t.ctx);
  });
  afterAll(() => t.db.destroy());
  const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'evidence-inbox-')));

  it('journals only the commands that store something', () => {
    expect(isDurableCommand('log Called Sam #U7:2.1')).toBe(true);
    expect(isDurableCommand('LOG   Called Sam')).toBe(true);
    expect(isDurableCommand('log')).toBe(false); // opens the form
    expect(isDurableCommand('list')).toBe(false);
    expect(isDurableCommand('')).toBe(false);
    expect(acceptCommand(t.ctx, logInput('no-inbox'))).toEqual({ accepted: false }); // no inbox: the direct path
  });

  it('records an accepted log, and forgets it from the journal once answered', async () => {
    fresh();
    const inbox = createCommandInbox(() => t.ctx, { dir, concurrency: 1 });
    const ctx = { ...t.ctx, commandInbox: inbox };
    const accepted = local(acceptCommand(ctx, logInput('inbox-1')));
    const journal = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    expect(journal).toContain('"t":"accepted"');
    const result = await accepted.result;
    expect(result.kind === 'message' && JSON.stringify(result.message)).toContain('Evidence recorded');
    expect(await t.db.prisma.entry.count({ where: { idempotencyKey: 'slack:inbox-1' } })).toBe(1);
    accepted.finished();
    await inbox.drain();
    // Nothing pending: the journal keeps nobody's words.
    expect(readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('')).toBe('');
    inbox.close();
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('does a burst a few at a time, never more than its concurrency', async () => {
    fresh();
    let now = 0;
    let most = 0;
    const run = async (): Promise<CommandResult> => {
      most = Math.max(most, ++now);
      await new Promise((r) => setTimeout(r, 5));
      now--;
      return { kind: 'message', message: { fallback: 'ok', blocks: [] } };
    };
    const inbox = createCommandInbox(() => t.ctx, { dir, concurrency: 2, run });
    const all = Array.from({ length: 8 }, (_, i) => inbox.accept(logInput(`burst-${i}`)));
    await Promise.all(all.map(local).map(async (a) => (await a.result, a.finished())));
    expect(most).toBe(2);
    inbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledgements first: a burst waits until the commands stop coming, a stream no longer than maxDeferMs', async () => {
    fresh();
    const started: number[] = [];
    const run = async (): Promise<CommandResult> => {
      started.push(performance.now());
      return { kind: 'message', message: { fallback: 'ok', blocks: [] } };
    };
    const inbox = createCommandInbox(() => t.ctx, { dir, concurrency: 1, run, quietMs: 50, maxDeferMs: 150 });
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // A burst of five, 10 ms apart: none is done before the last has arrived.
    const burst = [];
    for (let i = 0; i < 5; i++) {
      burst.push(inbox.accept(logInput(`quiet-${i}`)));
      await pause(10);
    }
    const lastArrived = performance.now();
    for (const a of burst.map(local)) (await a.result, a.finished());
    expect(started).toHaveLength(5);
    expect(Math.min(...started)).toBeGreaterThanOrEqual(lastArrived - 10);
    // A stream that never pauses for 50 ms: the first commands are done while it still flows.
    started.length = 0;
    const stream = [];
    const streamStart = performance.now();
    while (performance.now() - streamStart < 600) {
      stream.push(inbox.accept(logInput(`stream-${stream.length}`)));
      await pause(5);
    }
    const streamEnd = performance.now();
    for (const a of stream.map(local)) (await a.result, a.finished());
    expect(started.length).toBe(stream.length);
    expect(Math.min(...started)).toBeLessThan(streamEnd);
    inbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes an answered command\'s "finished" line with the next one, or soon after: a crash loses no acknowledged command', async () => {
    fresh();
    const inbox = createCommandInbox(() => t.ctx, { dir, concurrency: 1, quietMs: 0, run: async () => ({ kind: 'message', message: { fallback: 'ok', blocks: [] } }) });
    const read = () => readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    const first = local(inbox.accept(logInput('lazy-1')));
    const second = local(inbox.accept(logInput('lazy-2'))); // still pending, so the journal is not emptied
    await first.result;
    first.finished();
    expect(read()).not.toContain('"t":"finished"'); // not a write of its own
    const third = local(inbox.accept(logInput('lazy-3')));
    const lines = read().trim().split('\n').map((l) => JSON.parse(l) as { t: string; key: string });
    expect(lines.map((l) => `${l.t} ${l.key}`)).toEqual(['accepted slack:lazy-1', 'accepted slack:lazy-2', 'finished slack:lazy-1', 'accepted slack:lazy-3']);
    await second.result;
    second.finished();
    await new Promise((r) => setTimeout(r, 250));
    expect(read()).toContain('"finished","key":"slack:lazy-2"');
    await third.result;
    third.finished();
    inbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays what a dead process acknowledged and did not finish: stored once, answered by DM', async () => {
    fresh();
    const pid = deadPid();
    const at = t.clock.now().toISOString();
    const lines = [
      { t: 'accepted', key: 'slack:crash-1', input: logInput('crash-1', 'log Rang a client back after the crash #U7:1.2'), at },
      { t: 'accepted', key: 'slack:crash-2', input: logInput('crash-2', 'log This one was answered before the crash #U7:1.2'), at },
      { t: 'finished', key: 'slack:crash-2' },
    ];
    // The last line was cut short by the kill: it is skipped, the rest replayed.
    writeFileSync(journalFile(dir, pid), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"t":"accep`);
    const inbox = createCommandInbox(() => t.ctx, { dir, concurrency: 1 });
    expect(await inbox.recover()).toEqual({ replayed: 1, failed: 0 });

    const entries = await t.db.prisma.entry.findMany({ where: { idempotencyKey: { in: ['slack:crash-1', 'slack:crash-2'] } } });
    expect(entries.map((e) => e.summary)).toEqual(['Rang a client back after the crash']);
    const answers = await t.db.prisma.outboxMessage.findMany({ where: { kind: 'command_answer' } });
    expect(answers).toHaveLength(1);
    expect(JSON.stringify(answers[0]!.payload)).toContain('the bot restarted before it could answer');
    expect(JSON.stringify(answers[0]!.payload)).toContain('Evidence recorded');
    expect(existsSync(journalFile(dir, pid))).toBe(false);

    // Replaying again (another restart) finds nothing left.
    expect(await inbox.recover()).toEqual({ replayed: 0, failed: 0 });
    inbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands a burst to the other thread in one batch once it stops coming, and forgets each command when told it is done', async () => {
    fresh();
    const batches: string[][] = [];
    const inbox = createCommandInbox(() => t.ctx, { dir, concurrency: 1, quietMs: 30, handOff: (lines) => batches.push(lines) });
    const read = () => readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    const accepted = ['hand-1', 'hand-2', 'hand-3'].map((id) => inbox.accept({ ...logInput(id), replyUrl: `https://hooks.slack.example/${id}` }));
    // The other thread answers: the adapter only acknowledges.
    expect(accepted).toEqual(Array(3).fill({ accepted: true, answeredElsewhere: true }));
    expect(batches).toEqual([]); // still arriving: nothing handed over yet
    expect(read().match(/"t":"accepted"/g)).toHaveLength(3); // but each one is already on disk
    await new Promise((r) => setTimeout(r, 80));
    expect(batches).toHaveLength(1);
    const handed = batches[0]!.map((line) => JSON.parse(line) as { key: string; input: CommandInput });
    expect(handed.map((h) => h.key)).toEqual(['slack:hand-1', 'slack:hand-2', 'slack:hand-3']);
    expect(handed[1]!.input.replyUrl).toBe('https://hooks.slack.example/hand-2');

    let drained = false;
    const draining = inbox.drain(5_000).then(() => (drained = true));
    inbox.completed(['slack:hand-1', 'slack:hand-2']);
    await new Promise((r) => setTimeout(r, 10));
    expect(drained).toBe(false); // one still pending
    inbox.completed(['slack:hand-3', 'slack:hand-3']); // told twice: counted once
    await draining;
    expect(read()).toBe('');
    inbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on the other thread: does each handed-off log, answers it through its response_url, or by DM when that fails', async () => {
    const answered: { url: string; message: ChatMessage }[] = [];
    const done: string[] = [];
    let failUrl = '';
    const runner = createCommandRunner(() => t.ctx, {
      concurrency: 1,
      respond: async (url, message) => {
        if (url === failUrl) throw new Error('response_url expired');
        answered.push({ url, message });
      },
      done: (key) => done.push(key),
    });
    const line = (id: string, text?: string) => JSON.stringify({ t: 'accepted', key: `slack:${id}`, input: { ...logInput(id, text), replyUrl: `https://hooks.slack.example/${id}` }, at: t.clock.now().toISOString() });
    failUrl = 'https://hooks.slack.example/run-3';
    runner.push([line('run-1'), line('run-2', 'log Called a client back #U7:9.9'), line('run-3', 'log Met a candidate at the jobs fair #U7:1.1')]);
    for (let i = 0; i < 200 && done.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(done).toEqual(['slack:run-1', 'slack:run-2', 'slack:run-3']);
    expect(answered.map((a) => a.url)).toEqual(['https://hooks.slack.example/run-1', 'https://hooks.slack.example/run-2']);
    expect(JSON.stringify(answered[0]!.message)).toContain('Evidence recorded');
    // A refused log is answered with what to fix, and stores nothing.
    expect(JSON.stringify(answered[1]!.message)).toContain('#U7:9.9');
    expect(await t.db.prisma.entry.count({ where: { idempotencyKey: { in: ['slack:run-1', 'slack:run-2', 'slack:run-3'] } } })).toBe(2);
    // The response_url failed: the answer goes to the person's DM through the outbox instead.
    const dm = await t.db.prisma.outboxMessage.findMany({ where: { dedupeKey: 'command:slack:run-3:answer' } });
    expect(dm).toHaveLength(1);
    expect(JSON.stringify(dm[0]!.payload)).toContain('Evidence recorded');
  });

  it('leaves the journals of running processes alone', async () => {
    fresh();
    const other = journalFile(dir, process.ppid);
    writeFileSync(other, `${JSON.stringify({ t: 'accepted', key: 'slack:alive-1', input: logInput('alive-1'), at: t.clock.now().toISOString() })}\n`);
    const inbox = createCommandInbox(() => t.ctx, { dir, concurrency: 1 });
    expect(await inbox.recover()).toEqual({ replayed: 0, failed: 0 });
    expect(existsSync(other)).toBe(true);
    inbox.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
