import { describe, expect, it } from 'vitest';
import { POSTGRES_DEFAULTS, timeoutSettings } from '../../../src/db/postgres.ts';

describe('every pool has timeouts', () => {
  it('tools get generous defaults: connect, statement, idle in transaction, and a client timeout past the statement one', () => {
    expect(timeoutSettings({})).toEqual({
      connectionTimeoutMillis: POSTGRES_DEFAULTS.connectTimeoutMs,
      statement_timeout: 600_000,
      idle_in_transaction_session_timeout: 60_000,
      query_timeout: 601_000,
    });
  });

  it('serve passes its configured ones; the client may give up when the server would', () => {
    expect(
      timeoutSettings({
        connectTimeoutMs: 1000,
        statementTimeoutMs: 2000,
        idleInTransactionTimeoutMs: 5000,
        queryTimeoutMs: 2000,
      }),
    ).toEqual({
      connectionTimeoutMillis: 1000,
      statement_timeout: 2000,
      idle_in_transaction_session_timeout: 5000,
      query_timeout: 2000,
    });
  });

  it('0 turns a server-side timeout off (and the client one derived from it)', () => {
    expect(timeoutSettings({ statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0 })).toEqual({
      connectionTimeoutMillis: 2000,
    });
  });
});
