// Where Proctor's CPU goes under load: a V8 CPU profile (`node --cpu-prof`, a .cpuprofile file) summarised by self
// time, per category (JWT, classification, OPA wasm, signing, JSON, fastify, undici, pg, ...) and per function. Self
// time is the sampled time spent in a function's own code, callees excluded; a category is decided by the function's
// script (its package or src/ folder) and, for built-ins without a script, by its name. Run alone on a profile:
// `node bench/side-by-side-profile.ts <file.cpuprofile>`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  /** Microseconds on the system's monotonic clock (as process.hrtime in any process on the machine). */
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** First match wins: a script (url) pattern or a built-in's name, and the category it stands for. */
const CATEGORIES: readonly [RegExp, string][] = [
  [/^\((idle)\)$/, 'idle'],
  [/^\(garbage collector\)$/, 'GC'],
  [/^\(program\)$/, 'V8/native (program)'],
  [/node_modules\/jose\/|\/src\/identity\//, 'JWT (jose, identity)'],
  [/node_modules\/re2\/|\/src\/classification\/|\/src\/redaction\//, 'classification'],
  [/node_modules\/gpt-tokenizer\/|prompt-tokens/, 'tokenizer (limits estimate)'],
  [/^wasm:\/\/|node_modules\/@open-policy-agent\//, 'OPA wasm'],
  [/\/src\/policy\//, 'policy (JS side)'],
  [/ed25519|sign-pool|sign-worker|\/src\/ledger\/keys/, 'signing'],
  [/\/src\/ledger\//, 'ledger (seal, canonical JSON, group commit)'],
  [/\/src\/limits\/|limits-stage/, 'limits'],
  [/node_modules\/(ajv|ajv-formats|fast-uri)\//, 'schema validation (ajv)'],
  [
    /node_modules\/(fastify|find-my-way|avvio|light-my-request|@fastify|fast-json-stringify|pino|secure-json-parse)/,
    'fastify',
  ],
  [/node_modules\/undici\/|node:internal\/deps\/undici/, 'undici'],
  [/node_modules\/(pg|pg-protocol|pg-pool|pg-types|pgpass|postgres-)/, 'pg'],
  [/\/src\/(forwarding|providers|outbound|upstreams)\//, 'forwarding and providers'],
  [/\/src\/(pipeline|http)\//, 'pipeline and http'],
  [/\/src\/(db|observability|config)\//, 'db, observability, config'],
  [
    /^node:internal\/(streams|net|http|stream_base|_http|dns|tls|timers|async_hooks)|^node:(net|http|stream)/,
    'Node net/http/streams/timers',
  ],
  [/^node:internal\/crypto|^node:crypto/, 'node:crypto'],
  [/^node:/, 'Node other'],
];
const BUILTINS: readonly [RegExp, string][] = [
  [/^JSON\.|^(parse|stringify)$/, 'JSON'],
  [/^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString|read|onStreamRead|close)$/, 'socket I/O'],
  [/^runMicrotasks$/, 'promises (microtasks)'],
  [/^validate\d*$/, 'schema validation (ajv)'],
  [/^(verify|sign|digest|hash|createHash|update)$/i, 'node:crypto'],
  [/^(RegExp|exec|test|replace|match|split)/, 'regexp/string built-ins'],
];

function categoryOf(frame: ProfileNode['callFrame']): string {
  const key = frame.url || frame.functionName;
  for (const [pattern, name] of CATEGORIES) if (pattern.test(key)) return name;
  if (!frame.url) for (const [pattern, name] of BUILTINS) if (pattern.test(frame.functionName)) return name;
  return frame.url ? 'other JS' : 'other built-ins';
}

export interface ProfileSummary {
  sampled_ms: number;
  busy_ms: number;
  categories: { category: string; self_ms: number; share_of_busy: number }[];
  /** The same time charged to the nearest caller in Proctor's code or a package (Node internals and built-ins, e.g.
   * a socket write, go to whoever asked for them): which component's work it was. */
  by_owner: { category: string; self_ms: number; share_of_busy: number }[];
  functions: { function: string; where: string; category: string; self_ms: number; share_of_busy: number }[];
}

/** `windows` ([start, end] in µs of the monotonic clock) keep only the samples taken in them, e.g. a measured load. */
export function summariseProfile(file: string, windows?: [number, number][], top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (!windows || windows.some(([from, to]) => at >= from && at <= to)) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  /** The category of the nearest frame (itself or a caller) whose script matches `scope`, else its own. */
  const owned = (id: number, scope: RegExp): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = (byId.get(at) as ProfileNode).callFrame;
      if (scope.test(frame.url)) return categoryOf(frame);
    }
    return categoryOf((byId.get(id) as ProfileNode).callFrame);
  };
  const categories = new Map<string, number>();
  const owners = new Map<string, number>();
  const functions = new Map<string, { where: string; category: string; us: number }>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const category = categoryOf(frame);
    total += us;
    categories.set(category, (categories.get(category) ?? 0) + us);
    const owner = category === 'idle' ? 'idle' : owned(id, /node_modules\/|\/src\/|^wasm:/);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
    const where = frame.url
      ? `${frame.url.replace(/^file:\/\/.*?\/(?=(src|node_modules|bench)\/)/, '')}:${frame.lineNumber + 1}`
      : '';
    const name = `${frame.functionName || '(anonymous)'} ${where}`;
    const entry = functions.get(name) ?? { where, category, us: 0 };
    entry.us += us;
    functions.set(name, entry);
  }
  const busy = total - (categories.get('idle') ?? 0);
  const ms = (us: number) => Math.round(us / 100) / 10;
  const share = (us: number) => Math.round((us / busy) * 1000) / 10;
  const table = (m: Map<string, number>) =>
    [...m]
      .filter(([name]) => name !== 'idle')
      .sort((a, b) => b[1] - a[1])
      .map(([category, us]) => ({ category, self_ms: ms(us), share_of_busy: share(us) }));
  return {
    sampled_ms: ms(total),
    busy_ms: ms(busy),
    categories: table(categories),
    by_owner: table(owners),
    functions: [...functions]
      .filter(([, f]) => f.category !== 'idle')
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([name, f]) => ({
        function: name.slice(0, name.indexOf(' ')),
        where: f.where,
        category: f.category,
        self_ms: ms(f.us),
        share_of_busy: share(f.us),
      })),
  };
}

/** The summary as two markdown tables. */
export function profileMarkdown(summary: ProfileSummary): string {
  const lines = [
    `CPU profile: ${summary.busy_ms} ms busy of ${summary.sampled_ms} ms sampled (self time, share of busy)`,
    '',
    '| category (where the time was spent) | self ms | share |',
    '|---|---|---|',
    ...summary.categories.map((c) => `| ${c.category} | ${c.self_ms} | ${c.share_of_busy} % |`),
    '',
    '| owner (nearest caller in Proctor or a package) | self ms | share |',
    '|---|---|---|',
    ...summary.by_owner.map((c) => `| ${c.category} | ${c.self_ms} | ${c.share_of_busy} % |`),
    '',
    '| function | where | category | self ms | share |',
    '|---|---|---|---|---|',
    ...summary.functions.map(
      (f) => `| ${f.function} | ${f.where} | ${f.category} | ${f.self_ms} | ${f.share_of_busy} % |`,
    ),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, start, end] = process.argv.slice(2);
  if (!file) throw new Error('usage: node bench/side-by-side-profile.ts <file.cpuprofile> [start_us end_us]');
  const windows: [number, number][] | undefined = start && end ? [[Number(start), Number(end)]] : undefined;
  process.stdout.write(`${profileMarkdown(summariseProfile(file, windows))}\n`);
}
