// `npm run cli -- <verb> …`. On PostgreSQL, or when the bot is not running, it opens the database
// itself; when the bot runs on the embedded database (one process only), it asks the bot to run
// the verb through the control socket.
import { resolve } from 'node:path';
import { JOBS } from '../../jobs/registry.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { lockDataDir } from '../db/data-dir-lock.ts';
import { DataDirError } from '../db/data-dir.ts';
import { createLogger } from '../lib/logger.ts';
import { buildCore } from '../main.ts';
import { runCliCommand, USAGE } from './commands.ts';
import { sendToRunningBot } from './control-socket.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help') {
    print(USAGE.replace('JOBS', JOBS.map((j) => j.name).join(', ')));
    return argv.length === 0 ? 2 : 0;
  }
  const config = loadConfig();
  // The CLI logs only warnings unless asked: its output is for the person at the terminal.
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr as never);
  let lock;
  if (!config.databaseUrl) {
    const r = lockDataDir(config.dataDir);
    if (!r.ok) return sendToRunningBot(config.dataDir, argv, print);
    lock = r.lock;
  }
  const core = await buildCore({ config, log, lock });
  try {
    return await runCliCommand(argv, { ...core, jobs: JOBS, out: print, exportDir: resolve(config.dataDir, 'exports') });
  } finally {
    await core.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof ConfigError) process.stderr.write(`Configuration error: ${err.message}\n`);
    else if (err instanceof DataDirError) process.stderr.write(`Cannot run: ${err.message}\n`);
    else process.stderr.write(`failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
