// Evidence packet speed: export (select, proofs, self-check, sign, tar.gz) and offline packet verification, in
// records/s, on a PGlite ledger of BENCH_EVIDENCE_RECORDS decisions (default 30,000; checkpoint every 1,000) with a
// third of them (one subject) exported. Ledger generation is not timed. Run alone with `node bench/evidence.ts`
// (JSON on stdout and in bench/results/evidence.json).
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { migrate, openPglite } from '../src/db/index.ts';
import { exportPacket, verifyPacket } from '../src/evidence/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../src/ledger/index.ts';

const N = Number(process.env.BENCH_EVIDENCE_RECORDS ?? 30_000);

export async function benchEvidence() {
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-bench-evidence-'));
  const sql = await openPglite(path.join(dir, 'db'));
  try {
    await migrate(sql);
    const key = generateSigningKey();
    const exporter = generateSigningKey();
    let t = Date.parse('2026-01-01T00:00:00Z');
    const ledger = await openLedger({
      sql,
      signer: loadSigner(key.privateKeyPem),
      chain: 'bench-ev',
      clock: { now: () => new Date((t += 1000)) },
      batch: { maxRecords: 1000 },
      checkpoints: { everyRecords: 1000, everySeconds: 0 },
    });
    const pending = [];
    for (let i = 0; i < N; i++) {
      const sub = ['alice', 'bob', 'carol'][i % 3] as string;
      pending.push(
        ledger.append(
          'decision',
          `r-${i}`,
          {
            principal: { iss: 'https://idp.example', sub, client_id: 'app', groups: ['eng'], tenant: 'acme' },
            request: {
              api: 'openai.chat_completions',
              model: 'gpt-4o-mini',
              stream: false,
              max_tokens: 256,
              message_count: 3,
              body_sha256: 'a'.repeat(64),
            },
            classification: {
              finding_count: 1,
              findings: [
                {
                  type: 'EMAIL',
                  category: 'PII',
                  path: 'messages[0].content',
                  start: 1,
                  end: 9,
                  confidence: 90,
                  fingerprint: 'f'.repeat(64),
                },
              ],
            },
            decision: {
              allow: i % 5 !== 0,
              stage: 'decide',
              reasons: i % 5 === 0 ? [{ code: 'MODEL_NOT_PERMITTED', message: 'no' }] : [],
              obligations: null,
            },
          },
          { subject: sub, decision: i % 5 === 0 ? 'deny' : 'allow' },
        ),
      );
      if (pending.length >= 5000) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    await ledger.close();

    const query = {
      subjects: ['alice'],
      groups: [],
      tenants: [],
      clients: [],
      request_ids: [],
      from: null,
      to: null,
      decision: null,
      policy_versions: [],
      types: ['decision' as const],
      until_checkpoint: true,
    };
    const t0 = performance.now();
    const exported = await exportPacket({
      sql,
      exporterKey: createPrivateKey(exporter.privateKeyPem),
      exportedBy: 'bench',
      exportedAt: new Date(),
      query,
      trust: { ledgerKeys: [key.publicKeyPem], exporterKeys: [] },
    });
    const exportSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const report = verifyPacket(exported.bytes, {
      ledgerKeys: [key.publicKeyPem],
      exporterKeys: [exporter.publicKeyPem],
    });
    const verifySeconds = (performance.now() - t1) / 1000;
    if (!report.ok)
      throw new Error(`evidence bench: the packet did not verify (${JSON.stringify(report.findings.slice(0, 3))})`);
    const records = exported.manifest.counts.records;
    return {
      ledger_records: N + 1,
      exported_records: records,
      packet_bytes: exported.bytes.length,
      export_seconds: Math.round(exportSeconds * 100) / 100,
      export_records_per_s: Math.round(records / exportSeconds),
      verify_seconds: Math.round(verifySeconds * 100) / 100,
      verify_records_per_s: Math.round(records / verifySeconds),
    };
  } finally {
    await sql.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    evidence: await benchEvidence(),
  };
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'evidence.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
