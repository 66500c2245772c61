// Lets `npm run cli` reach a bot that is running on the embedded database, which only one process
// may open: the bot listens on a Unix socket in DATA_DIR (mode 0600, so only the same user can
// connect), runs the CLI verb in-process and streams its output back.
import { createHash } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function controlSocketPath(dataDir: string): string {
  const path = join(resolve(dataDir), 'control.sock');
  // Unix socket paths are limited to ~104 bytes; fall back to a per-directory name in tmp.
  if (Buffer.byteLength(path) < 100) return path;
  return join(tmpdir(), `evidence-bot-${createHash('sha256').update(path).digest('hex').slice(0, 16)}.sock`);
}

export function serveControlSocket(
  dataDir: string,
  run: (argv: string[], out: (line: string) => void) => Promise<number>,
  onError: (err: unknown) => void,
): Promise<Server> {
  const path = controlSocketPath(dataDir);
  rmSync(path, { force: true });
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      const request = buffer.slice(0, nl);
      buffer = '';
      let argv: string[];
      try {
        argv = (JSON.parse(request) as { argv: string[] }).argv;
      } catch {
        socket.end(`${JSON.stringify({ exit: 2, line: 'bad request' })}\n`);
        return;
      }
      const out = (line: string) => socket.write(`${JSON.stringify({ line })}\n`);
      run(argv, out).then(
        (exit) => socket.end(`${JSON.stringify({ exit })}\n`),
        (err) => {
          onError(err);
          socket.end(`${JSON.stringify({ exit: 1, line: `failed: ${(err as Error).message}` })}\n`);
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

/** Sends argv to the running bot; prints its output; resolves to the exit code. */
export function sendToRunningBot(dataDir: string, argv: string[], print: (line: string) => void): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const socket = createConnection(controlSocketPath(dataDir));
    let buffer = '';
    let exit: number | undefined;
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ argv })}\n`));
    socket.on('data', (chunk) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buffer.slice(0, nl)) as { line?: string; exit?: number };
        buffer = buffer.slice(nl + 1);
        if (msg.line !== undefined) print(msg.line);
        if (msg.exit !== undefined) exit = msg.exit;
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolvePromise(exit ?? 1));
  });
}
