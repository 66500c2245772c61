// A child process for the data-directory lock test: on each message it waits until the given
// moment (so all contenders start together), tries to take the lock, and reports what it got.
// It keeps whatever it took until it exits, so a winner stays alive for the others to see.
import { lockDataDir } from '../../src/db/data-dir-lock.ts';

const pause = new Int32Array(new SharedArrayBuffer(4));

process.on('message', (msg: { dir: string; at: number }) => {
  // Sleep until just before the start, then spin: a sleeping process would wake a tick late.
  const coarse = msg.at - Date.now() - 5;
  if (coarse > 0) Atomics.wait(pause, 0, 0, coarse);
  while (Date.now() < msg.at) {
    /* spin */
  }
  let reply: { pid: number; ok: boolean; heldBy?: number; error?: string };
  try {
    const r = lockDataDir(msg.dir);
    reply = r.ok ? { pid: process.pid, ok: true } : { pid: process.pid, ok: false, heldBy: r.heldBy };
  } catch (err) {
    reply = { pid: process.pid, ok: false, error: String(err) };
  }
  process.send!(reply);
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: process.pid });
