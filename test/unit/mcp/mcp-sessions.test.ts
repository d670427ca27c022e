// Sessions are found only by the principal and server they were opened for; idle ones expire; the store is bounded.
import { describe, expect, it } from 'vitest';
import { createSessionStore } from '../../../src/mcp/sessions.ts';

function store(maxSessions = 10) {
  let now = 0;
  const clock = { now: () => new Date(now) };
  return { sessions: createSessionStore({ maxSessions, idleMs: 1000, clock }), advance: (ms: number) => (now += ms) };
}

const alice = { iss: 'https://idp', sub: 'alice' };

describe('MCP sessions', () => {
  it('are found by their holder and server only (fixation: anyone else gets nothing)', () => {
    const { sessions } = store();
    const opened = sessions.open(alice, 'crm', '2025-06-18');
    expect(opened?.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const id = opened?.id as string;
    expect(sessions.find(id, alice, 'crm')).toEqual(opened);
    expect(sessions.find(id, { iss: 'https://idp', sub: 'bob' }, 'crm')).toBeNull();
    expect(sessions.find(id, { iss: 'https://other-idp', sub: 'alice' }, 'crm')).toBeNull();
    expect(sessions.find(id, alice, 'files')).toBeNull();
    expect(sessions.close(id, { iss: 'https://idp', sub: 'bob' }, 'crm')).toBe(false);
    expect(sessions.close(id, alice, 'crm')).toBe(true);
    expect(sessions.find(id, alice, 'crm')).toBeNull();
  });

  it('expire when idle, and use keeps them alive', () => {
    const { sessions, advance } = store();
    const id = sessions.open(alice, 'crm', '2025-06-18')?.id as string;
    advance(900);
    expect(sessions.find(id, alice, 'crm')).not.toBeNull();
    advance(900);
    expect(sessions.find(id, alice, 'crm')).not.toBeNull();
    advance(1000);
    expect(sessions.find(id, alice, 'crm')).toBeNull();
  });

  it('are bounded: past the cap a new one is refused until idle ones can be swept', () => {
    const { sessions, advance } = store(2);
    expect(sessions.open(alice, 'crm', 'v')).not.toBeNull();
    expect(sessions.open(alice, 'crm', 'v')).not.toBeNull();
    expect(sessions.open(alice, 'crm', 'v')).toBeNull();
    advance(1000);
    expect(sessions.open(alice, 'crm', 'v')).not.toBeNull();
    expect(sessions.size).toBe(1);
  });

  it('hold at most perOwner per principal: a new one ends that principal’s least recently used, never another’s', () => {
    let now = 0;
    const sessions = createSessionStore({
      maxSessions: 100,
      idleMs: 10_000,
      perOwner: 2,
      clock: { now: () => new Date(now) },
    });
    const bob = { iss: 'https://idp', sub: 'bob' };
    const bobs = sessions.open(bob, 'crm', 'v')?.id as string;
    const first = sessions.open(alice, 'crm', 'v')?.id as string;
    now = 1;
    const second = sessions.open(alice, 'crm', 'v')?.id as string;
    now = 2;
    sessions.find(first, alice, 'crm'); // first is now the most recently used
    now = 3;
    const third = sessions.open(alice, 'crm', 'v')?.id as string;
    expect(sessions.find(second, alice, 'crm')).toBeNull();
    expect(sessions.find(first, alice, 'crm')).not.toBeNull();
    expect(sessions.find(third, alice, 'crm')).not.toBeNull();
    expect(sessions.find(bobs, bob, 'crm')).not.toBeNull();
  });

  it('never accept an id that is not one Proctor could have issued', () => {
    const { sessions } = store();
    expect(sessions.find('../../etc', alice, 'crm')).toBeNull();
    expect(sessions.find('', alice, 'crm')).toBeNull();
  });
});
