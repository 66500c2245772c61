// The command-line verbs: roster import, jobs run, export, db migrate/status. They
// run against an open application context, either in the CLI's own process or, when the bot is
// running on the embedded database, inside the bot (see control-socket.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeOwnerOnlyFile } from '../db/data-dir.ts';
import type { Database } from '../db/database.ts';
import { applyMigrations, migrationStatus } from '../db/migrate.ts';
import { AppError } from '../lib/errors.ts';
import { measureJob } from '../lib/metrics.ts';
import { fixedClock } from '../ports/clock.ts';
import type { ServiceContext } from '../services/kernel/context.ts';
import type { ChatPorts } from '../services/outbox/deliver-outbox.ts';
import type { Services } from '../services/index.ts';
import type { JobDefinition } from '../../jobs/types.ts';
import { PRIVACY_USAGE, runPrivacyCommand } from './privacy-commands.ts';

export interface CliDeps {
  db: Database;
  ctx: ServiceContext;
  services: Services;
  ports: ChatPorts;
  jobs: JobDefinition[];
  /**
   * Prints one line. It may return a promise that resolves once the line has been taken (standard
   * output or the control socket was full): verbs with long answers await it, so output is not
   * buffered without bound and reaches a slow reader whole.
   */
  out: (line: string) => unknown;
  /** Where `export` writes when no --out is given (DATA_DIR/exports). */
  exportDir: string;
}

export const USAGE = `usage: npm run cli -- <verb> …
  roster import FILE.csv                      create or update people and their links
  jobs run NAME [--now ISO-8601]              run one job once (NAME: JOBS)
  export LEARNER [--format csv|html] [--out FILE]   the learner's portfolio
  db migrate | db status                      apply / list migrations
${PRIVACY_USAGE}`;

/** Runs one verb; returns the process exit code (0 ok, 1 failed, 2 usage). */
export async function runCliCommand(argv: string[], deps: CliDeps): Promise<number> {
  const { out } = deps;
  const [verb, sub, ...rest] = argv;
  const flag = (name: string, args: string[]) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const usage = async () => {
    await out(USAGE.replace('JOBS', deps.jobs.map((j) => j.name).join(', ')));
    return 2;
  };
  try {
    if (verb === 'roster' && sub === 'import' && rest[0]) {
      const csv = readFileSync(resolve(rest[0]), 'utf8');
      const r = await deps.services.importRoster({ csv });
      for (const f of r.refused) await out(`line ${f.line}${f.userId ? ` (${f.userId})` : ''}: refused: ${f.reason}`);
      await out(`${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.refused.length} refused`);
      return 0;
    }
    if (verb === 'jobs' && sub === 'run' && rest[0]) {
      const job = deps.jobs.find((j) => j.name === rest[0]);
      if (!job) {
        await out(`unknown job "${rest[0]}"; jobs: ${deps.jobs.map((j) => j.name).join(', ')}`);
        return 2;
      }
      const nowText = flag('now', rest);
      const now = nowText ? new Date(nowText) : deps.ctx.clock.now();
      if (Number.isNaN(now.getTime())) {
        await out(`--now "${nowText}" is not an ISO-8601 time (e.g. 2026-11-23T09:00:00Z)`);
        return 2;
      }
      const ctx = nowText ? { ...deps.ctx, clock: fixedClock(now) } : deps.ctx;
      const summary = await measureJob(job.name, () => job.run({ ctx, ports: deps.ports }, now));
      await out(`${job.name} at ${now.toISOString()}: ${JSON.stringify(summary)}`);
      return 0;
    }
    if (verb === 'export' && sub) {
      const format = (flag('format', rest) ?? 'csv').toLowerCase();
      if (format !== 'csv' && format !== 'html') {
        await out(`--format must be csv or html, not "${format}"`);
        return 2;
      }
      const r = await deps.services.exportPortfolio({ learner: sub, format });
      const file = resolve(flag('out', rest) ?? resolve(deps.exportDir, r.fileName));
      writeOwnerOnlyFile(file, r.content);
      await out(`wrote ${file} (${r.criteria} criteria)`);
      return 0;
    }
    if (verb === 'db' && sub === 'migrate') {
      const applied = await applyMigrations(deps.db);
      await out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      return 0;
    }
    if (verb === 'db' && sub === 'status') {
      const s = await migrationStatus(deps.db);
      for (const a of s.applied) await out(`applied  ${a.name}  ${a.finishedAt?.toISOString() ?? ''}`);
      for (const p of s.pending) await out(`pending  ${p}`);
      for (const u of s.unknown) await out(`unknown  ${u}  (in the database, not in prisma/migrations)`);
      if (!s.applied.length && !s.pending.length) await out('no migrations');
      return 0;
    }
    const privacy = await runPrivacyCommand(argv, deps);
    if (privacy !== undefined) return privacy;
    return await usage();
  } catch (err) {
    if (err instanceof AppError) {
      await out(err.userMessage);
      return 1;
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      await out(`no such file: ${(err as NodeJS.ErrnoException).path}`);
      return 1;
    }
    throw err;
  }
}
