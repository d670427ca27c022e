// `proctor verify` speed: records/s of the verifier library over chains of 100k and 1M signed records (decision and
// outcome pairs of realistic size, built in memory with the real sealRecord and fed through the same core the
// database source uses), with every signature checked on all cores, on one core (no worker threads), sampled, and
// checkpoints only. Generation is not timed. Each run also reports its CPU time (all threads) and the load average
// before it: on a shared machine records per CPU-second is the figure that does not depend on other work. Run alone with `node bench/verify.ts` (JSON on stdout and in
// bench/results/verify.json) or as part of `npm run bench`. BENCH_VERIFY_SIZES overrides the sizes (comma list);
// PROCTOR_ED25519_NATIVE=off measures node:crypto alone when the native addon is built (signature_backend says which).
import { createPrivateKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  canonicalize,
  CompactTree,
  generateSigningKey,
  leafHash,
  loadSigner,
  sealRecord,
  signCheckpoint,
  signingMessage,
} from '../src/ledger/index.ts';
import { rowSource, verifyLedger } from '../src/verify/index.ts';
import type { UnsignedRecord } from '../src/ledger/index.ts';
import type { RecordRow, SignatureMode, SourceCheckpoint } from '../src/verify/index.ts';
import { signatureBackend } from '../src/ledger/ed25519-batch.ts';

const SIZES = (process.env.BENCH_VERIFY_SIZES ?? '100000,1000000').split(',').map(Number);

const principal = {
  iss: 'https://idp.example',
  sub: 'alice@example.com',
  client_id: 'app',
  groups: ['eng', 'finance'],
  tenant: 'acme',
  token_fingerprint: 'f'.repeat(43),
};
const decisionBody = {
  principal,
  request: {
    api: 'openai.chat_completions',
    model: 'gpt-4o-mini',
    stream: false,
    max_tokens: 256,
    message_count: 3,
    body_sha256: 'a'.repeat(64),
  },
  classification: { finding_count: 2, types: { email: 1, iban: 1 }, categories: { pii: 1, financial: 1 } },
  policy: { revision: 'r42', sha256: 'b'.repeat(64) },
  decision: { allow: true, stage: 'policy', reasons: [], obligations: null },
};

/** A chain of `n` records (chain_opened, then decision/outcome pairs) and one signed checkpoint every 1,000 records. */
export async function buildChain(
  n: number,
): Promise<{ rows: RecordRow[]; checkpoints: SourceCheckpoint[]; publicKeyPem: string; bytes: number }> {
  const key = generateSigningKey();
  const signer = loadSigner(key.privateKeyPem);
  const privateKey = createPrivateKey(key.privateKeyPem);
  const chain = 'bench-verify';
  const rows: RecordRow[] = [];
  const checkpoints: SourceCheckpoint[] = [];
  const tree = new CompactTree();
  let prev: string | null = null;
  let decisionHash = '';
  let bytes = 0;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  for (let seq = 0; seq < n; seq++) {
    const ts = new Date(t0 + seq * 10).toISOString();
    const requestId = seq === 0 ? null : `req-${Math.ceil(seq / 2)}`;
    const base = { v: 1 as const, chain, seq, ts, prev, request_id: requestId };
    const unsigned: UnsignedRecord =
      seq === 0
        ? { ...base, type: 'chain_opened' }
        : seq % 2 === 1
          ? { ...base, type: 'decision', ...decisionBody }
          : {
              ...base,
              type: 'outcome',
              decision_hash: decisionHash,
              status: 200,
              latency_ms: 420,
              usage: { input_tokens: 812, output_tokens: 153 },
            };
    // The first records go through sealRecord (schema-checked); the rest are sealed the same way without the schema
    // check, to build a million records in reasonable time. The verifier checks every one against the schema anyway.
    const sealed = seq < 100 ? await sealRecord(unsigned, signer) : seal(unsigned, privateKey, signer.kid);
    const hash = Buffer.from(sealed.hash).toString('hex');
    if (unsigned.type === 'decision') decisionHash = hash;
    rows.push({ seq, bytes: sealed.bytes, hash, prev, type: unsigned.type, request_id: requestId, ts: Date.parse(ts) });
    bytes += sealed.bytes.length;
    prev = hash;
    tree.append(sealed.hash);
    if (tree.size % 1000 === 0 || seq === n - 1) {
      const root = tree.root();
      const note = await signCheckpoint({ origin: `proctor/ledger/${chain}`, size: tree.size, root }, signer);
      checkpoints.push({
        size: tree.size,
        root: Buffer.from(root).toString('hex'),
        note,
        frontier: tree.frontier().map((h) => Buffer.from(h).toString('hex')),
      });
    }
  }
  return { rows, checkpoints, publicKeyPem: key.publicKeyPem, bytes };
}

/** sealRecord's bytes without its schema check: canonical members, leaf hash, Ed25519 over the signing message. */
function seal(unsigned: UnsignedRecord, privateKey: KeyObject, kid: string): { bytes: Uint8Array; hash: Uint8Array } {
  const hash = leafHash(canonicalize(unsigned));
  const sig = sign(null, signingMessage(hash), privateKey).toString('base64url');
  return { bytes: canonicalize({ ...unsigned, hash: Buffer.from(hash).toString('hex'), kid, sig }), hash };
}

export async function run(chain: Awaited<ReturnType<typeof buildChain>>, signatures: SignatureMode, workers: number) {
  const source = rowSource(new Map([['bench-verify', chain.rows]]), {
    checkpoints: new Map([['bench-verify', chain.checkpoints]]),
  });
  const load = loadavg()[0] ?? 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await verifyLedger({
    source,
    trustedKeys: [chain.publicKeyPem],
    signatures,
    workers,
    sampleSeed: signatures === 'sample' ? '0123456789abcdef' : undefined,
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0); // every thread of this process, workers included
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const records = report.chains.reduce((n, c) => n + c.records, 0);
  if (!report.ok || records !== chain.rows.length)
    throw new Error(`verify bench: the clean chain did not verify (${JSON.stringify(report.findings.slice(0, 3))})`);
  return {
    signatures,
    workers,
    records,
    signatures_checked: report.chains.reduce((n, c) => n + c.signatures_checked, 0),
    seconds: Math.round(seconds * 100) / 100,
    records_per_s: Math.round(records / seconds),
    // CPU time is independent of other load on the machine: records per CPU-second, and what all cores would give.
    cpu_seconds: Math.round(cpuSeconds * 100) / 100,
    records_per_cpu_s: Math.round(records / cpuSeconds),
    load_average_1m_before: Math.round(load * 100) / 100,
  };
}

export async function benchVerify() {
  const cores = availableParallelism();
  const results = [];
  for (const n of SIZES) {
    const g0 = performance.now();
    const chain = await buildChain(n);
    const generated_s = Math.round((performance.now() - g0) / 10) / 100;
    const runs = [await run(chain, 'all', cores)];
    if (n <= 100_000) runs.push(await run(chain, 'all', 0));
    runs.push(await run(chain, 'sample', cores), await run(chain, 'checkpoints', cores));
    results.push({
      records: n,
      mean_record_bytes: Math.round(chain.bytes / n),
      checkpoints: chain.checkpoints.length,
      generated_s,
      runs,
    });
  }
  // native-ed25519-dalek when .tools/native/ed25519-batch.node is built (scripts/native.sh), else node-crypto.
  return { cores, signature_backend: signatureBackend(), target_records_per_s_all_signatures: 15_000, sizes: results };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = {
    when: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.versions.node },
    verify: await benchVerify(),
  };
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'verify.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
