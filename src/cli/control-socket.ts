// Lets `npm run cli` reach a bot that is running on the embedded database, which only one process
// may open: the bot listens on a Unix socket in DATA_DIR (mode 0600, so only the same user can
// connect), runs the CLI verb in-process and streams its output back.
//
// The answer may be large (a subject access runs to megabytes) and the reader slow (a pipe into
// `less`, or over ssh), so both ends honour backpressure: the bot waits for the socket to drain
// before writing more, the CLI stops reading the socket while its standard output is full, and it
// reports the exit code only once everything it received has been written out.
import { createHash } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function controlSocketPath(dataDir: string): string {
  const path = join(resolve(dataDir), 'control.sock');
  // Unix socket paths are limited to ~104 bytes; fall back to a per-directory name in tmp.
  if (Buffer.byteLength(path) < 100) return path;
  return join(tmpdir(), `evidence-bot-${createHash('sha256').update(path).digest('hex').slice(0, 16)}.sock`);
}

/** One output line for the CLI; resolves when the socket can take more (or the CLI has gone). */
export type ControlOut = (line: string) => Promise<void>;

/** Writes and resolves once the stream has taken the data (at once unless its buffer is full). */
function writeWithBackpressure(socket: Socket, text: string): Promise<void> {
  return new Promise((resolveWrite) => {
    if (socket.destroyed || !socket.writable) return resolveWrite();
    if (socket.write(text)) return resolveWrite();
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolveWrite();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

export function serveControlSocket(
  dataDir: string,
  run: (argv: string[], out: ControlOut) => Promise<number>,
  onError: (err: unknown) => void,
): Promise<Server> {
  const path = controlSocketPath(dataDir);
  rmSync(path, { force: true });
  const server = createServer((socket) => {
    let buffer = '';
    let started = false;
    socket.setEncoding('utf8');
    const send = (msg: { line?: string; exit?: number }) => writeWithBackpressure(socket, `${JSON.stringify(msg)}\n`);
    // The last message closes our side; the socket sends everything queued before it ends.
    const finish = (msg: { line?: string; exit: number }) => {
      if (!socket.destroyed) socket.end(`${JSON.stringify(msg)}\n`);
    };
    socket.on('data', (chunk) => {
      if (started) return; // one verb per connection
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      started = true;
      const request = buffer.slice(0, nl);
      buffer = '';
      let argv: string[];
      try {
        argv = (JSON.parse(request) as { argv: string[] }).argv;
      } catch {
        finish({ exit: 2, line: 'bad request' });
        return;
      }
      run(argv, (line) => send({ line })).then(
        (exit) => finish({ exit }),
        (err) => {
          onError(err);
          finish({ exit: 1, line: `failed: ${(err as Error).message}` });
        },
      );
    });
    socket.on('error', onError);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      chmodSync(path, 0o600);
      resolvePromise(server);
    });
  });
}

const isDestroyed = (stream: NodeJS.WritableStream) => (stream as { destroyed?: boolean }).destroyed === true;

/**
 * Sends argv to the running bot and writes its output to `output`; resolves to the exit code once
 * all of it has been written (a pipe to a slow reader included).
 */
export function sendToRunningBot(dataDir: string, argv: string[], output: NodeJS.WritableStream): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const socket = createConnection(controlSocketPath(dataDir));
    let buffer = '';
    let exit: number | undefined;
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ argv })}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let text = '';
      let from = 0;
      let nl: number;
      while ((nl = buffer.indexOf('\n', from)) >= 0) {
        const msg = JSON.parse(buffer.slice(from, nl)) as { line?: string; exit?: number };
        from = nl + 1;
        if (msg.line !== undefined) text += `${msg.line}\n`;
        if (msg.exit !== undefined) exit = msg.exit;
      }
      buffer = buffer.slice(from);
      // Our output is full: stop reading until it drains, so the bot waits too.
      if (text && !isDestroyed(output) && !output.write(text)) {
        socket.pause();
        const resume = () => {
          output.off('drain', resume);
          output.off('close', resume);
          socket.resume();
        };
        output.on('drain', resume);
        output.on('close', resume); // the reader went away: take the rest, it goes nowhere
      }
    });
    socket.on('error', reject);
    socket.on('close', (hadError) => {
      if (hadError) return; // 'error' has rejected
      // An empty write's callback runs after every earlier write has been handed over.
      if (isDestroyed(output)) resolvePromise(exit ?? 1);
      else output.write('', () => resolvePromise(exit ?? 1));
    });
  });
}
