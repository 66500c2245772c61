// Runs a benchmark target or task in a child process of its own (`node --import tsx FILE`), so its
// CPU and memory are its own and its peak RSS can be reported. The child talks over IPC: it sends
// `{ type: 'ready', ... }` when it is listening, and `{ type: 'result', ... }` for a one-off task.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Child<R> {
  proc: ChildProcess;
  ready: Promise<R>;
  /** Sends `{ type: 'stop' }` and resolves with the child's last report (peak memory) when it exits. */
  stop(): Promise<{ maxRssMb?: number; code: number | null }>;
  request<T>(message: Record<string, unknown>): Promise<T>;
}

export function startChild<R = Record<string, unknown>>(file: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Child<R> {
  const proc = fork(fileURLToPath(new URL(`../${file}`, import.meta.url)), [], {
    cwd: ROOT,
    // BENCH_CHILD_ARGS: extra Node flags for the measured processes (--cpu-prof, --trace-gc …).
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CHILD_ARGS ?? '').split(' ').filter(Boolean)],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let last: { maxRssMb?: number } = {};
  const waiting = new Map<number, (v: unknown) => void>();
  let seq = 0;
  proc.on('message', (m: any) => {
    if (m?.type === 'stopped') last = m;
    if (m?.type === 'reply' && waiting.has(m.id)) {
      waiting.get(m.id)!(m.value);
      waiting.delete(m.id);
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} was not ready within ${timeoutMs} ms`)), timeoutMs);
    proc.on('message', (m: any) => {
      if (m?.type === 'ready') {
        clearTimeout(timer);
        resolve(m as R);
      }
      if (m?.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${file}: ${m.message}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code} before it was ready`));
    });
  });
  return {
    proc,
    ready,
    async stop() {
      if (proc.exitCode === null && proc.connected) proc.send({ type: 'stop' });
      const killer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(killer);
      return { ...last, code };
    },
    request<T>(message: Record<string, unknown>) {
      const id = ++seq;
      return new Promise<T>((resolve) => {
        waiting.set(id, resolve as (v: unknown) => void);
        proc.send({ ...message, id });
      });
    },
  };
}

/** In a child: peak resident memory so far, in MB (resourceUsage's maxRSS is in kilobytes). */
export const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** In a child: answer requests from the parent and stop cleanly on `{ type: 'stop' }`. */
export function serveParent(handlers: Record<string, (m: any) => Promise<unknown>>, stop: () => Promise<void>): void {
  process.on('message', async (m: any) => {
    if (m?.type === 'stop') {
      await stop();
      process.send?.({ type: 'stopped', maxRssMb: maxRssMb() }, () => process.exit(0));
      return;
    }
    // CPU time used so far (ms): robust against other load on a shared machine, unlike wall time.
    if (m?.type === 'cpu') {
      const u = process.cpuUsage();
      process.send?.({ type: 'reply', id: m.id, value: (u.user + u.system) / 1000 });
      return;
    }
    const h = handlers[m?.type];
    if (m?.id !== undefined) process.send?.({ type: 'reply', id: m.id, value: h ? await h(m) : null });
  });
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
}
