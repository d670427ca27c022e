// Test helper: a PGlite ledger holding realistic, signed traffic decided by a real OPA bundle (built from policies/):
// allowed requests with outcomes, PCI denials, a redacted email request and a model name that is an HTML injection
// attempt. Records are appended through the ledger API (as the pipeline does), then checkpointed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, openPglite } from '../../src/db/index.ts';
import type { Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../../src/ledger/index.ts';
import type { JsonValue, Ledger } from '../../src/ledger/index.ts';
import { loadPolicyBundleBytes } from '../../src/policy/index.ts';
import type { PolicyEngine, PolicyInput } from '../../src/policy/index.ts';
import { buildPolicyBundle } from './policy-bundles.ts';

export const HOSTILE_MODEL = '<script>alert("x")</script><img src=x onerror=1>';

export interface EvidenceLedger {
  dir: string;
  dataDir: string;
  sql: Sql;
  ledger: Ledger;
  engine: PolicyEngine;
  bundle: Buffer;
  ledgerKey: { privateKeyPem: string; publicKeyPem: string; kid: string };
  exporterKey: { privateKeyPem: string; publicKeyPem: string; kid: string };
  /** Appends one request (decision, and an outcome when allowed); returns whether it was allowed. */
  request(
    who: Who,
    opts?: { model?: string; card?: boolean; email?: boolean; lieAboutInput?: boolean; shadow?: PolicyEngine },
  ): Promise<boolean>;
}

export interface Who {
  sub: string;
  groups: string[];
  tenant?: string | null;
  client?: string | null;
}

export async function openEvidenceLedger(chain = 'ev-1'): Promise<EvidenceLedger> {
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-evidence-'));
  const dataDir = path.join(dir, 'db');
  const sql = await openPglite(dataDir);
  await migrate(sql);
  const bundle = buildPolicyBundle({ revision: 'ev-v1' }).bytes;
  const engine = await loadPolicyBundleBytes(bundle);
  const ledgerKey = generateSigningKey();
  const exporterKey = generateSigningKey();
  let t = Date.parse('2026-03-02T08:00:00.000Z');
  const clock = { now: () => new Date((t += 90_000)) };
  const ledger = await openLedger({
    sql,
    signer: loadSigner(ledgerKey.privateKeyPem),
    chain,
    clock,
    checkpoints: { everyRecords: 7, everySeconds: 0 },
  });
  await ledger.append('policy_activated', null, {
    policy: { revision: engine.version.revision, sha256: engine.version.sha256 },
    source: 'bundles/ev-v1.tar.gz',
    shadow: null,
  });
  let n = 0;

  const request: EvidenceLedger['request'] = async (who, opts = {}) => {
    n++;
    const requestId = `req-${String(n).padStart(4, '0')}`;
    const findings = [
      ...(opts.card
        ? [
            {
              type: 'CREDIT_CARD',
              category: 'PCI',
              path: 'messages[0].content',
              start: 14,
              end: 33,
              confidence: 95,
              fingerprint: 'a'.repeat(64),
            },
          ]
        : []),
      ...(opts.email
        ? [
            {
              type: 'EMAIL',
              category: 'PII',
              path: 'messages[0].content',
              start: 3,
              end: 20,
              confidence: 90,
              fingerprint: 'b'.repeat(64),
            },
          ]
        : []),
    ];
    const types: Record<string, number> = {};
    const categories: Record<string, number> = {};
    for (const f of findings) {
      types[f.type] = (types[f.type] ?? 0) + 1;
      categories[f.category] = (categories[f.category] ?? 0) + 1;
    }
    const now = new Date(t);
    const input: PolicyInput = {
      principal: {
        iss: 'https://idp.example',
        sub: who.sub,
        client_id: who.client ?? null,
        groups: who.groups,
        tenant: who.tenant ?? null,
      },
      request: {
        api: 'openai.chat_completions',
        model: opts.model ?? 'gpt-4o-mini',
        stream: false,
        max_tokens: 64,
        message_count: 1,
        estimated_prompt_tokens: 20,
        tools: { count: 0, names: [] },
      },
      classification: {
        finding_count: findings.length,
        types,
        categories,
        max_confidence: findings.length > 0 ? 95 : 0,
        where: { system: 0, user: findings.length, assistant: 0, tool: 0, tool_arguments: 0, tools: 0 },
      },
      upstreams: [
        { name: 'echo', provider: 'openai', region: 'eu', baa: false, zero_data_retention: false, models: ['*'] },
      ],
      time: { unix_ms: now.getTime(), iso: now.toISOString() },
    };
    const decision = engine.decide(input);
    // A lying writer: the decision recorded is the policy's, but the input recorded is not the one it decided on.
    const recordedInput = opts.lieAboutInput
      ? {
          ...input,
          classification: {
            ...input.classification,
            finding_count: 0,
            types: {},
            categories: {},
            max_confidence: 0,
            where: { ...input.classification.where, user: 0 },
          },
        }
      : input;
    const body = {
      principal: { ...input.principal, token_fingerprint: 'c'.repeat(64) },
      request: {
        api: input.request.api,
        model: input.request.model,
        stream: false,
        max_tokens: 64,
        message_count: 1,
        body_sha256: 'd'.repeat(64),
      },
      classification: { finding_count: findings.length, findings },
      policy: { revision: engine.version.revision, sha256: engine.version.sha256 },
      policy_input: recordedInput,
      decision: {
        allow: decision.allow,
        stage: 'decide',
        reasons: decision.reasons,
        obligations: decision.obligations,
      },
      route: decision.allow ? { upstream: 'echo' } : null,
      redaction:
        decision.allow && decision.obligations.redact.length > 0
          ? {
              types: Object.fromEntries(
                decision.obligations.redact.filter((r) => types[r]).map((r) => [r, types[r] as number]),
              ),
            }
          : null,
      shadow: opts.shadow ? shadowOf(opts.shadow, input) : null,
    };
    const policyVersion = `${engine.version.revision}@sha256:${engine.version.sha256}`;
    const appended = await ledger.append('decision', requestId, body as unknown as Record<string, JsonValue>, {
      subject: who.sub,
      decision: decision.allow ? 'allow' : 'deny',
      policyVersion,
    });
    if (decision.allow) {
      await ledger.append(
        'outcome',
        requestId,
        {
          decision_hash: appended.hash,
          status: 200,
          upstream: 'echo',
          upstream_status: 200,
          latency_ms: 12,
          usage: null,
          error: null,
          response_classification: null,
          response_action: 'none',
        },
        { subject: who.sub, decision: 'allow', policyVersion },
      );
    }
    return decision.allow;
  };
  return { dir, dataDir, sql, ledger, engine, bundle, ledgerKey, exporterKey, request };
}

/** The standard traffic: 3 alice (eng) allowed, 1 alice PII (redacted), 2 bob card denials, 1 carol hostile model. */
export async function standardTraffic(l: EvidenceLedger): Promise<void> {
  const alice: Who = { sub: 'alice', groups: ['eng'], tenant: 'acme', client: 'chat-app' };
  const bob: Who = { sub: 'bob', groups: ['sales'], tenant: 'acme', client: 'crm' };
  const carol: Who = { sub: 'carol', groups: ['eng'], tenant: 'globex', client: 'chat-app' };
  for (let i = 0; i < 3; i++) await l.request(alice);
  await l.request(alice, { email: true });
  await l.request(bob, { card: true });
  await l.request(bob, { card: true });
  await l.request(carol, { model: HOSTILE_MODEL });
  await l.ledger.checkpoint();
}

/** The shadow entry a record carries: the candidate's version and its decision on the same input. */
function shadowOf(engine: PolicyEngine, input: PolicyInput) {
  const d = engine.decide(input);
  return {
    revision: engine.version.revision,
    sha256: engine.version.sha256,
    decision: { allow: d.allow, reasons: d.reasons, obligations: d.obligations },
  };
}
