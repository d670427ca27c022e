// The policy runtime with fake engines (no I/O): record-before-decide, failed records cancel the swap, shadow
// disagreements only, serialised installs, and deny-everything without an active policy.
import { describe, expect, it } from 'vitest';
import { createPolicyRuntime, SMOKE_INPUT } from '../../../src/policy/index.ts';
import type { Decision, PolicyEngine, PolicyVersion } from '../../../src/policy/index.ts';

const decision = (allow: boolean, code = 'X'): Decision => ({
  allow,
  reasons: allow ? [] : [{ code, message: 'm' }],
  obligations: {
    upstreams: allow ? ['smoke-a'] : [],
    max_tokens: null,
    redact: [],
    response: { redact: [], block: [] },
    limits: null,
  },
});

function fakeEngine(revision: string, answer: Decision): PolicyEngine & { calls: number } {
  const engine = {
    calls: 0,
    version: { revision, sha256: revision.padEnd(64, '0') },
    decide() {
      engine.calls += 1;
      return structuredClone(answer);
    },
  };
  return engine;
}

describe('createPolicyRuntime', () => {
  it('denies everything with ERR_POLICY_UNAVAILABLE while no policy is active', () => {
    const runtime = createPolicyRuntime({ activate: async () => {} });
    const result = runtime.decide(SMOKE_INPUT);
    expect(result).toMatchObject({
      version: null,
      shadow: null,
      decision: { allow: false, reasons: [{ code: 'ERR_POLICY_UNAVAILABLE' }] },
    });
  });

  it('records the activation before the new engine decides, and decides with it afterwards', async () => {
    const events: string[] = [];
    let release: () => void = () => {};
    const runtime = createPolicyRuntime({
      activate: (version, source, shadow) => {
        events.push(`activate:${version.revision}:${source}:${shadow?.revision ?? 'none'}`);
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const v1 = fakeEngine('v1', decision(true));
    const pending = runtime.install({ engine: v1, source: '/b/v1.tar.gz' });
    await Promise.resolve();
    // The record is not committed yet: nothing may have been decided by v1.
    expect(runtime.decide(SMOKE_INPUT).version).toBeNull();
    expect(v1.calls).toBe(0);
    release();
    await pending;
    expect(runtime.decide(SMOKE_INPUT).version?.revision).toBe('v1');
    expect(events).toEqual(['activate:v1:/b/v1.tar.gz:none']);
  });

  it('keeps the old engine when the activation cannot be recorded', async () => {
    let fail = false;
    const runtime = createPolicyRuntime({
      activate: async () => {
        if (fail) throw new Error('ledger down');
      },
    });
    await runtime.install({ engine: fakeEngine('v1', decision(true)), source: 's' });
    fail = true;
    await expect(runtime.install({ engine: fakeEngine('v2', decision(false)), source: 's' })).rejects.toMatchObject({
      code: 'ERR_POLICY_ACTIVATION_FAILED',
    });
    expect(runtime.decide(SMOKE_INPUT)).toMatchObject({ version: { revision: 'v1' }, decision: { allow: true } });
    expect(runtime.current().active?.version.revision).toBe('v1');
  });

  it('reports the shadow decision only where it differs, with the shadow version', async () => {
    const versions: (PolicyVersion | null)[] = [];
    const runtime = createPolicyRuntime({ activate: async (_v, _s, shadow) => void versions.push(shadow) });
    await runtime.install({ engine: fakeEngine('v1', decision(true)), source: 's' });
    await runtime.installShadow({ engine: fakeEngine('c1', decision(true)), source: 'c' });
    expect(runtime.decide(SMOKE_INPUT).shadow).toBeNull();
    await runtime.installShadow({ engine: fakeEngine('c2', decision(false, 'CANDIDATE_SAYS_NO')), source: 'c' });
    const result = runtime.decide(SMOKE_INPUT);
    expect(result.decision.allow).toBe(true);
    expect(result.shadow).toMatchObject({
      version: { revision: 'c2' },
      decision: { allow: false, reasons: [{ code: 'CANDIDATE_SAYS_NO' }] },
    });
    expect(versions.map((v) => v?.revision ?? null)).toEqual([null, 'c1', 'c2']);
  });

  it('installs active and shadow together behind one activation record, and keeps the other slot otherwise', async () => {
    const events: string[] = [];
    const runtime = createPolicyRuntime({
      activate: async (v, s, shadow) => void events.push(`${v.revision}@${s}/${shadow?.revision ?? '-'}`),
    });
    await runtime.installChanges({
      active: { engine: fakeEngine('v1', decision(true)), source: 'a' },
      shadow: { engine: fakeEngine('c1', decision(false)), source: 'c' },
    });
    expect(events).toEqual(['v1@a/c1']);
    expect(runtime.decide(SMOKE_INPUT)).toMatchObject({
      version: { revision: 'v1' },
      shadow: { version: { revision: 'c1' } },
    });
    await runtime.installChanges({ shadow: null });
    await runtime.installChanges({ active: { engine: fakeEngine('v2', decision(true)), source: 'a' } });
    expect(events).toEqual(['v1@a/c1', 'v1@a/-', 'v2@a/-']);
    expect(runtime.current()).toMatchObject({ active: { version: { revision: 'v2' } }, shadow: null });
  });

  it('runs installs one at a time, in call order', async () => {
    const order: string[] = [];
    let release!: () => void;
    const v1Held = new Promise<void>((resolve) => (release = resolve));
    const runtime = createPolicyRuntime({
      activate: async (version) => {
        order.push(`start:${version.revision}`);
        if (version.revision === 'v1') await v1Held;
        order.push(`end:${version.revision}`);
      },
    });
    const both = Promise.all([
      runtime.install({ engine: fakeEngine('v1', decision(true)), source: 's' }),
      runtime.install({ engine: fakeEngine('v2', decision(true)), source: 's' }),
    ]);
    for (let i = 0; i < 3; i += 1) await new Promise((r) => setImmediate(r)); // turns, not time: v2 must not start
    expect(order).toEqual(['start:v1']);
    release();
    await both;
    expect(order).toEqual(['start:v1', 'end:v1', 'start:v2', 'end:v2']);
    expect(runtime.current().active?.version.revision).toBe('v2');
  });
});
