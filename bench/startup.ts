// Start-up to ready: the bot as `npm start` runs it (`node --import tsx src/main.ts`), from the
// spawn until GET /readyz answers 200 (database migrated, Slack token verified against the fake
// API); on a fresh embedded database, on one that exists, and on a fresh PostgreSQL database.
// Peak memory is the process's own high-water mark (VmHWM) at that moment.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { ROOT } from './lib/child.ts';

export interface StartupRun {
  label: string;
  readyMs: number;
  peakRssMb?: number;
}

function vmHwmMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export async function startUp(label: string, env: NodeJS.ProcessEnv, port: number): Promise<StartupRun> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'error', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${label}: the bot exited with ${child.exitCode} before it was ready`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Number(process.hrtime.bigint() - started) / 1e9 > 120) throw new Error(`${label}: not ready within 120 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return { label, readyMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6), peakRssMb: vmHwmMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
