// CPU of one forward() (issue 17): the forwarder posting the side-by-side's chat request and reading a small answer,
// 64 at a time, against a 0 ms upstream on a worker thread, in µs of this thread's CPU a call. `--against <tree>`
// loads another checkout's src/forwarding/index.ts beside this one's and runs them in turns (`--runs`, default 5).
// JSON on stdout: `node bench/forwarder.ts [--against <tree>] [--runs n] [--calls n]`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

type ForwardingModule = typeof import('../src/forwarding/index.ts');

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? String(args[args.indexOf(name) + 1]) : null);
const ANSWER = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  model: 'echo-1',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'The north region grew its revenue; costs stayed flat.' },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
});

function upstream(): void {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER));
  });
  server.listen(0, '127.0.0.1', () => parentPort?.postMessage((server.address() as AddressInfo).port));
}

async function cpuPerForward(forwarding: ForwardingModule, port: number, calls: number): Promise<number> {
  const forwarder = forwarding.createForwarder();
  const target = {
    name: 'echo',
    baseUrl: `http://127.0.0.1:${port}/v1`,
    headers: { authorization: 'Bearer sk-bench' },
    timeouts: { connectMs: 5000, firstByteMs: 30_000, totalMs: 600_000 },
  };
  const body = {
    model: 'echo-1',
    max_tokens: 64,
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Summarise the quarterly report for the north region in two sentences, please.' },
    ],
  };
  // As the pipeline calls it: the server's drain signal, shared by every request in flight.
  const shutdown = new AbortController().signal;
  let left = 0;
  const caller = async () => {
    while (left-- > 0) await forwarder.forward(target, '/chat/completions', body, { requestId: 'r', signal: shutdown });
  };
  left = calls; // warm-up
  await Promise.all(Array.from({ length: 64 }, caller));
  left = calls;
  const start = process.threadCpuUsage();
  await Promise.all(Array.from({ length: 64 }, caller));
  const used = process.threadCpuUsage(start);
  await forwarder.close();
  return Math.round(((used.user + used.system) / calls) * 10) / 10;
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'upstream') upstream();
else if (isMainThread) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'upstream' } });
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  const calls = Number(option('--calls') ?? 6000);
  const head = await import('../src/forwarding/index.ts');
  const tree = option('--against');
  const result: Record<string, unknown> = { calls, concurrency: 64 };
  if (tree === null) result.cpu_us_per_forward = await cpuPerForward(head, port, calls);
  else {
    const base: ForwardingModule = await import(pathToFileURL(path.resolve(tree, 'src/forwarding/index.ts')).href);
    const baseUs: number[] = [];
    const headUs: number[] = [];
    for (let i = 0; i < Number(option('--runs') ?? 5); i++) {
      baseUs.push(await cpuPerForward(base, port, calls));
      headUs.push(await cpuPerForward(head, port, calls));
    }
    Object.assign(result, {
      against: tree,
      base_cpu_us: baseUs,
      head_cpu_us: headUs,
      head_over_base_pairs: headUs.map((h, i) => Math.round((h / (baseUs[i] as number)) * 100) / 100),
    });
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await worker.terminate();
}
