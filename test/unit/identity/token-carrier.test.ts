import { describe, expect, it } from 'vitest';
import { IdentityError } from '../../../src/identity/index.ts';
import type { IdentityErrorCode, RequestHeaders } from '../../../src/identity/index.ts';
import { extractToken } from '../../../src/identity/token-carrier.ts';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln';

function codeOf(headers: RequestHeaders): IdentityErrorCode | 'none' {
  try {
    extractToken(headers);
    return 'none';
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityError);
    return (error as IdentityError).code;
  }
}

describe('extractToken', () => {
  it.each<[string, RequestHeaders]>([
    ['Bearer', { authorization: `Bearer ${TOKEN}` }],
    ['lower-case scheme and extra spaces', { authorization: `bearer   ${TOKEN} ` }],
    ['a capitalised header name', { Authorization: `Bearer ${TOKEN}` }],
    ['x-api-key', { 'x-api-key': TOKEN }],
    ['both carrying the same token', { authorization: `Bearer ${TOKEN}`, 'x-api-key': TOKEN }],
    ['a one-element array', { authorization: [`Bearer ${TOKEN}`] }],
    ['the DPoP scheme', { authorization: `DPoP ${TOKEN}` }],
  ])('finds the token with %s', (_name, headers) => {
    expect(extractToken(headers)).toBe(TOKEN);
  });

  it.each<[string, RequestHeaders, IdentityErrorCode]>([
    ['no header', {}, 'ERR_TOKEN_MISSING'],
    ['an undefined header', { authorization: undefined }, 'ERR_TOKEN_MISSING'],
    ['an empty x-api-key', { 'x-api-key': '  ' }, 'ERR_TOKEN_MISSING'],
    ['an empty Bearer', { authorization: 'Bearer ' }, 'ERR_TOKEN_MISSING'],
    ['the Basic scheme', { authorization: `Basic ${TOKEN}` }, 'ERR_TOKEN_MALFORMED'],
    ['a scheme-less value', { authorization: TOKEN }, 'ERR_TOKEN_MALFORMED'],
    ['two different tokens', { authorization: `Bearer ${TOKEN}`, 'x-api-key': `${TOKEN}x` }, 'ERR_TOKEN_MALFORMED'],
    ['a repeated header', { authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] }, 'ERR_TOKEN_MALFORMED'],
    [
      'the same header in two spellings',
      { authorization: `Bearer ${TOKEN}`, AUTHORIZATION: `Bearer ${TOKEN}` },
      'ERR_TOKEN_MALFORMED',
    ],
    ['characters outside b64token', { authorization: 'Bearer a.b.c"' }, 'ERR_TOKEN_MALFORMED'],
    ['a token over 64 KiB', { 'x-api-key': 'a'.repeat(64 * 1024 + 1) }, 'ERR_TOKEN_MALFORMED'],
    [
      'two Authorization lines (raw headers)',
      { authorization: [`Bearer ${TOKEN}`, 'Bearer garbage'] },
      'ERR_TOKEN_MALFORMED',
    ],
    ['two x-api-key lines (raw headers)', { 'x-api-key': [TOKEN, TOKEN] }, 'ERR_TOKEN_MALFORMED'],
    ['the DPoP scheme without a token', { authorization: 'DPoP ' }, 'ERR_TOKEN_MISSING'],
    ['two DPoP proofs', { authorization: `DPoP ${TOKEN}`, dpop: [TOKEN, TOKEN] }, 'ERR_TOKEN_MALFORMED'],
    ['a letter outside ASCII', { authorization: 'Bearer a.b\u00e9.c' }, 'ERR_TOKEN_MALFORMED'],
    ['a line break inside the token', { 'x-api-key': 'a.b\nc.d' }, 'ERR_TOKEN_MALFORMED'],
    ['a repeated Host beside a token', { authorization: `Bearer ${TOKEN}`, host: ['a', 'b'] }, 'ERR_TOKEN_MALFORMED'],
    ['a DPoP proof in two spellings', { authorization: `DPoP ${TOKEN}`, dpop: 'p', DPoP: 'p' }, 'ERR_TOKEN_MALFORMED'],
    // The headers are read in one pass, but failures are reported in reading order: the missing token comes first.
    ['no token and a repeated Host', { host: ['a', 'b'] }, 'ERR_TOKEN_MISSING'],
  ])('rejects %s', (_name, headers, code) => {
    expect(codeOf(headers)).toBe(code);
  });
});
