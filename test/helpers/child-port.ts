// Servers started as child processes for tests listen on a port the system chooses when they bind it (port 0), and
// say which: no free-port guess that another process can take between the guess and the bind. A Node child gets
// LISTEN_PRELOAD, which pins a host-less listen() to loopback and prints the chosen port (LISTENING matches it); a
// child that prints its bound port itself (uvicorn) is matched with its own pattern.
import type { ChildProcess } from 'node:child_process';

/** `node --import LISTEN_PRELOAD`: a listen() on a port (number or numeric string) without a host binds 127.0.0.1, so a
 * test server is never reachable from outside the machine; a listen on port 0 prints the port it got on stderr. */
export const LISTEN_PRELOAD = `data:text/javascript,${encodeURIComponent(
  [
    "import net from 'node:net';",
    'const listen = net.Server.prototype.listen;',
    'net.Server.prototype.listen = function (port, host, ...rest) {',
    "  const p = typeof port === 'string' && /^\\d+$/.test(port) ? Number(port) : port;",
    "  if (typeof p !== 'number') return listen.call(this, port, host, ...rest);",
    "  if (p === 0) this.once('listening', () => process.stderr.write('proctor-test-listening 127.0.0.1:' + this.address().port + '\\n'));",
    "  return host === undefined || typeof host === 'function'",
    "    ? listen.call(this, p, '127.0.0.1', ...(host === undefined ? rest : [host, ...rest]))",
    '    : listen.call(this, p, host, ...rest);',
    '};',
  ].join('\n'),
)}`;

/** What LISTEN_PRELOAD prints; group 1 is the port. */
export const LISTENING = /proctor-test-listening 127\.0\.0\.1:(\d+)/;

/**
 * Resolves with the port once the child has printed a line `listening` matches (group 1: the port it bound), and what
 * it printed so far (kept, the last 20 kB); rejects with that output when the child exits first or prints no such line
 * within `timeoutMs`, and then stops it.
 */
export async function listeningPort(
  child: ChildProcess,
  listening: RegExp,
  timeoutMs: number,
): Promise<{ port: number; output: () => string }> {
  let output = '';
  const read = (chunk: Buffer) => void (output = (output + chunk.toString('utf8')).slice(-20_000));
  child.stdout?.on('data', read);
  child.stderr?.on('data', read);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening after ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const seen = () => {
        const found = listening.exec(output)?.[1];
        if (found === undefined) return;
        clearTimeout(timer);
        resolve(Number(found));
      };
      child.stdout?.on('data', seen);
      child.stderr?.on('data', seen);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`exited (${signal ?? code}) before it was listening:\n${output}`));
      });
    });
    return { port, output: () => output };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}
