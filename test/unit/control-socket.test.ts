// The control socket streams a verb's answer with backpressure: while the CLI is not reading, the
// bot's `out` waits instead of buffering the answer in memory, and the exit message comes last,
// after every line. The CLI side writes everything it received before it reports the exit code.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { controlSocketPath, sendToRunningBot, serveControlSocket } from '../../src/cli/control-socket.ts';

const LINE = 'x'.repeat(1000);
const LINES = 5000; // about 5 MB, far more than the socket buffers hold

describe('control socket', () => {
  let dir: string;
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the bot writes no faster than the CLI reads, and ends only after the whole answer', async () => {
    dir = mkdtempSync(join(tmpdir(), 'control-'));
    let written = 0;
    let finished = false;
    server = await serveControlSocket(dir, async (_argv, out) => {
      for (let i = 0; i < LINES; i++) {
        await out(LINE);
        written++;
      }
      finished = true;
      return 0;
    }, () => {});
    const socket = createConnection(controlSocketPath(dir));
    await once(socket, 'connect');
    socket.pause();
    socket.write(`${JSON.stringify({ argv: ['subject-access', 'x'] })}\n`);
    await new Promise((r) => setTimeout(r, 300));
    expect(finished).toBe(false);
    expect(written).toBeLessThan(LINES / 2);

    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.resume();
    await once(socket, 'end');
    const msgs = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { line?: string; exit?: number });
    expect(msgs).toHaveLength(LINES + 1);
    expect(msgs.slice(0, -1).every((m) => m.line === LINE)).toBe(true);
    expect(msgs.at(-1)).toEqual({ exit: 0 });
    expect(finished).toBe(true);
  });

  it('the CLI side resolves only after a slow output has taken every line', async () => {
    dir = mkdtempSync(join(tmpdir(), 'control-'));
    server = await serveControlSocket(dir, async (_argv, out) => {
      for (let i = 0; i < 500; i++) await out(`${i} ${LINE}`);
      return 3;
    }, () => {});
    let taken = '';
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        taken += chunk.toString('utf8');
        setTimeout(done, 2);
      },
    });
    const code = await sendToRunningBot(dir, ['subject-access', 'x'], slow);
    expect(code).toBe(3);
    const lines = taken.trimEnd().split('\n');
    expect(lines).toHaveLength(500);
    expect(lines.at(-1)).toBe(`499 ${LINE}`);
  });
});
