// The policy lifecycle through the real proxy (PGlite ledger, real OIDC provider, openai SDK, bundles from opa build):
// policy_activated precedes the decisions it governs, shadow disagreements are recorded, a hot swap under load never
// lets a request see a half-loaded policy, every recorded decision replays from its recorded input, and
// `proctor policy shadow-report` summarises the disagreements.
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPolicyCli } from '../../src/cli/policy.ts';
import { openPglite, type Sql } from '../../src/db/index.ts';
import { startEchoUpstream, type EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { generateSigningKey, parseCanonical } from '../../src/ledger/index.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { loadPolicyBundleBytes } from '../../src/policy/index.ts';
import type { Decision, PolicyEngine, PolicyInput } from '../../src/policy/index.ts';
import { buildPolicyBundle } from '../helpers/policy-bundles.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import { proctorConfig } from '../helpers/proctor-config.ts';

const AUDIENCE = 'https://proctor.test';
const CARD = 'please charge 4111 1111 1111 1111 today';
const dir = mkdtempSync(path.join(tmpdir(), 'proctor-pp-'));
const activeFile = path.join(dir, 'active.tar.gz');
const bundles = new Map<string, Buffer>();

let sql: Sql;
let idp: Awaited<ReturnType<typeof startOidcProvider>>;
let upstream: EchoUpstream;
let proctor: RunningProctor;
let v1: Buffer;
let v2: Buffer;
let candidate: Buffer;

interface Row {
  seq: number;
  type: string;
  record: Record<string, unknown>;
}

async function records(): Promise<Row[]> {
  const { rows } = await sql.query<{ seq: number | string; type: string; record: Uint8Array }>(
    "SELECT seq, type, record FROM audit_records WHERE chain = 'pp-1' ORDER BY seq",
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    type: r.type,
    record: parseCanonical(r.record) as Record<string, unknown>,
  }));
}

function installActive(bytes: Buffer): void {
  // Atomic replace, as a deployment would do it: the poller never reads a half-written file.
  const tmp = `${activeFile}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, activeFile);
}

beforeAll(async () => {
  v1 = buildPolicyBundle({ revision: 'pp-v1' }).bytes;
  v2 = buildPolicyBundle({ revision: 'pp-v2', config: { pci_groups: ['eng'] } }).bytes;
  candidate = buildPolicyBundle({ revision: 'pp-candidate', config: { pci_groups: ['eng'] } }).bytes;
  for (const b of [v1, v2, candidate]) bundles.set((await loadPolicyBundleBytes(b)).version.sha256, b);
  installActive(v1);
  const shadowFile = path.join(dir, 'candidate.tar.gz');
  writeFileSync(shadowFile, candidate);

  sql = await openPglite(path.join(dir, 'db'));
  idp = await startOidcProvider();
  upstream = await startEchoUpstream();
  const key = generateSigningKey();
  const config = proctorConfig({
    database: { pglite_dir: path.join(dir, 'unused') },
    ledger: { chain: 'pp-1' },
    issuers: [{ issuer: idp.issuer, audience: [AUDIENCE], allow_insecure_http: true }],
    policy: { bundle: activeFile, shadow_bundle: shadowFile, poll_interval_seconds: 1 },
    upstreams: [
      {
        name: 'echo',
        provider: 'openai',
        base_url: upstream.url,
        models: ['*'],
        attributes: { zero_data_retention: true, baa: true },
      },
    ],
    signingKeyPem: key.privateKeyPem,
    baseDir: dir,
  });
  proctor = await startProctor(config, { sql, log: () => {} });
}, 120_000);

afterAll(async () => {
  await proctor?.close();
  await upstream?.close();
  await idp?.close();
  await sql?.close();
});

async function ask(token: string, content: string): Promise<number> {
  const client = new OpenAI({ baseURL: proctor.url, apiKey: token, maxRetries: 0, timeout: 15_000 });
  try {
    await client.chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content }] });
    return 200;
  } catch (err) {
    return (err as { status?: number }).status ?? 0;
  }
}

describe('the policy lifecycle in the proxy', () => {
  it('records policy_activated, naming the bundle, its source and the shadow, before any decision', async () => {
    const rows = await records();
    expect(rows[0]?.type).toBe('chain_opened');
    // Start-up loads the active bundle and the shadow together: ONE record names both.
    expect(rows[1]).toMatchObject({
      type: 'policy_activated',
      record: { policy: { revision: 'pp-v1' }, source: activeFile, shadow: { revision: 'pp-candidate' } },
    });
    expect(rows.filter((r) => r.type === 'policy_activated')).toHaveLength(1);
    expect(rows.filter((r) => r.type === 'decision')).toHaveLength(0);
  });

  it('records the shadow decision where the candidate disagrees, and only there', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, groups: ['eng'] });
    expect(await ask(token, 'hello')).toBe(200);
    expect(await ask(token, CARD)).toBe(403);
    const decisions = (await records()).filter((r) => r.type === 'decision');
    const [clean, card] = decisions.slice(-2).map((r) => r.record);
    expect(clean?.shadow ?? null).toBeNull();
    expect(card).toMatchObject({
      policy: { revision: 'pp-v1' },
      decision: { allow: false, reasons: [{ code: 'PCI_NOT_PERMITTED' }] },
    });
    expect(card?.shadow).toMatchObject({ revision: 'pp-candidate', decision: { allow: true, reasons: [] } });
    // The recorded input summarises where the card number was and how sure the classifier was, never the value.
    const input = card?.policy_input as PolicyInput;
    expect(input.classification).toMatchObject({
      finding_count: 1,
      types: { CREDIT_CARD: 1 },
      where: { user: 1, system: 0, tools: 0 },
    });
    expect(input.classification.max_confidence).toBeGreaterThan(0);
    expect(input.request.tools).toEqual({ count: 0, names: [] });
    expect(input.request.estimated_prompt_tokens).toBe(Math.ceil(Buffer.byteLength(CARD) / 3) + 4 + 3);
  });

  it('swaps under load: every record names the version that decided it, and the reply matches it', async () => {
    // Each batch from a subject of its own: denied requests count against the subject's request rate (docs/limits.md),
    // and this load is about policy swaps, not rate limits.
    let batches = 0;
    const statuses: number[] = [];
    let swapped = false;
    const deadline = Date.now() + 20_000;
    // Card data from eng: v1 denies it (403), v2 allows it (200). Load runs until v2 has decided a few requests.
    while (Date.now() < deadline) {
      const token = await idp.tokenFor({ audience: AUDIENCE, groups: ['eng'], sub: `swap-load-${batches++}` });
      const batch = await Promise.all(Array.from({ length: 8 }, () => ask(token, CARD)));
      statuses.push(...batch);
      if (!swapped) {
        installActive(v2);
        swapped = true;
      }
      if (statuses.filter((s) => s === 200).length >= 16) break;
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(16);
    const rows = await records();
    const activation = rows.find(
      (r) => r.type === 'policy_activated' && (r.record.policy as { revision: string }).revision === 'pp-v2',
    );
    expect(activation).toBeDefined();
    const cardDecisions = rows.filter(
      (r) =>
        r.type === 'decision' &&
        ((r.record.policy_input as PolicyInput | null)?.classification.categories.PCI ?? 0) > 0,
    );
    expect(cardDecisions.length).toBe(statuses.length + 1);
    for (const row of cardDecisions) {
      const revision = (row.record.policy as { revision: string }).revision;
      const allow = (row.record.decision as { allow: boolean }).allow;
      expect(allow).toBe(revision === 'pp-v2');
      // v2 and the candidate agree, so no v2 decision carries a shadow; none precedes v2's activation record.
      if (revision === 'pp-v2') {
        expect(row.record.shadow ?? null).toBeNull();
        expect(row.seq).toBeGreaterThan(activation?.seq ?? Number.POSITIVE_INFINITY);
      }
    }
    // What the clients saw matches what was recorded: one 200 per recorded allow.
    expect(statuses.filter((s) => s === 200).length).toBe(
      cardDecisions.filter((r) => (r.record.decision as { allow: boolean }).allow).length,
    );
  }, 60_000);

  it('replays every recorded decision (and shadow decision) from its recorded input and bundle', async () => {
    const engines = new Map<string, PolicyEngine>();
    const engineFor = async (sha256: string): Promise<PolicyEngine> => {
      const bytes = bundles.get(sha256);
      if (bytes === undefined) throw new Error(`no bundle ${sha256}`);
      const engine = engines.get(sha256) ?? (await loadPolicyBundleBytes(bytes));
      engines.set(sha256, engine);
      return engine;
    };
    const strip = (d: Decision) => ({ allow: d.allow, reasons: d.reasons, obligations: d.obligations });
    let replayed = 0;
    for (const row of await records()) {
      if (row.type !== 'decision' || row.record.policy_input == null) continue;
      const input = row.record.policy_input as unknown as PolicyInput;
      const policy = row.record.policy as { sha256: string };
      const recorded = row.record.decision as Decision & { stage: string };
      expect(strip((await engineFor(policy.sha256)).decide(input))).toEqual(strip(recorded));
      const shadow = row.record.shadow as { sha256: string; decision: Decision } | null | undefined;
      if (shadow) expect(strip((await engineFor(shadow.sha256)).decide(input))).toEqual(strip(shadow.decision));
      replayed += 1;
    }
    expect(replayed).toBeGreaterThan(10);
  });

  it('summarises shadow disagreements over a time window', async () => {
    let out = '';
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const code = await runPolicyCli(['shadow-report', '--since', since, '--until', until, '--json'], {
      stdout: (s) => (out += s),
      stderr: () => {},
      env: {},
      openSql: async () => sql,
    });
    expect(code).toBe(0);
    const report = JSON.parse(out) as {
      decisions: number;
      disagreements: number;
      by_change: { active_allow: boolean; shadow_allow: boolean; count: number }[];
    };
    expect(report.disagreements).toBeGreaterThanOrEqual(1);
    expect(report.decisions).toBeGreaterThan(report.disagreements);
    expect(report.by_change).toContainEqual(expect.objectContaining({ active_allow: false, shadow_allow: true }));
    let text = '';
    const io = { stdout: (s: string) => (text += s), stderr: () => {}, env: {}, openSql: async () => sql };
    expect(await runPolicyCli(['shadow-report', '--since', since, '--until', until], io)).toBe(0);
    expect(text).toMatch(/disagreements\s+\d+/);
    expect(text).toContain('pp-v1 -> pp-candidate: deny -> allow');
    expect(text).toMatch(/candidate drops\s+PCI_NOT_PERMITTED/);
  });
});
