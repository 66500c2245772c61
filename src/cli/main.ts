// `npm run cli -- <verb> …`. On PostgreSQL, or when the bot is not running, it opens the database
// itself; when the bot runs on the embedded database (one process only), it asks the bot to run
// the verb through the control socket.
//
// Standard output is often a pipe (`… | jq`, `… > file`, over ssh), which Node writes to
// asynchronously: the process ends only after everything written has been handed over, never
// with an answer cut short.
import { resolve } from 'node:path';
import { JOBS } from '../../jobs/registry.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { lockDataDir } from '../db/data-dir-lock.ts';
import { DataDirError } from '../db/data-dir.ts';
import { createLogger } from '../lib/logger.ts';
import { buildCore } from '../main.ts';
import { runCliCommand, USAGE } from './commands.ts';
import { sendToRunningBot } from './control-socket.ts';

let outputFailed = false;

/** Writes one line; resolves at once, or once standard output has drained when its buffer is full. */
function print(line: string): Promise<void> {
  return new Promise((resolveWrite) => {
    const stdout = process.stdout;
    if (stdout.destroyed || stdout.write(`${line}\n`)) return resolveWrite();
    const done = () => {
      stdout.off('drain', done);
      stdout.off('close', done);
      resolveWrite();
    };
    stdout.on('drain', done);
    stdout.on('close', done);
  });
}

/** Resolves once everything written so far to the stream has been handed to the OS (or it failed). */
const flushed = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolveFlush) => (stream.destroyed ? resolveFlush() : stream.write('', () => resolveFlush())));

// The reader went away (`… | head`): the rest of the output goes nowhere, but the verb still runs
// to its end (an erasure is not left half done) and the exit code is its own.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') return;
  outputFailed = true;
  process.stderr.write(`failed writing the output: ${err.message}\n`);
});

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help') {
    await print(USAGE.replace('JOBS', JOBS.map((j) => j.name).join(', ')));
    return argv.length === 0 ? 2 : 0;
  }
  const config = loadConfig();
  // The CLI logs only warnings unless asked: its output is for the person at the terminal.
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr as never);
  let lock;
  if (!config.databaseUrl) {
    const r = lockDataDir(config.dataDir);
    if (!r.ok) return sendToRunningBot(config.dataDir, argv, process.stdout);
    lock = r.lock;
  }
  const core = await buildCore({ config, log, lock });
  try {
    return await runCliCommand(argv, { ...core, jobs: JOBS, out: print, exportDir: resolve(config.dataDir, 'exports') });
  } finally {
    await core.close();
  }
}

async function exitWhenWritten(code: number): Promise<never> {
  if (outputFailed && code === 0) code = 1;
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => exitWhenWritten(code),
  (err) => {
    if (err instanceof ConfigError) process.stderr.write(`Configuration error: ${err.message}\n`);
    else if (err instanceof DataDirError) process.stderr.write(`Cannot run: ${err.message}\n`);
    else process.stderr.write(`failed: ${(err as Error).stack ?? err}\n`);
    return exitWhenWritten(1);
  },
);
