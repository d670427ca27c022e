// `proctor verify` flags through node:util parseArgs: every flag lands where it did with the hand-written parser, and
// each bad command line (missing, empty or ambiguous value, a value on a switch, unknown flag, second packet, value
// out of range) is the one CLI usage error, ERR_CLI_USAGE; a packet's flags alike (exit 2 with the packet usage).
import { describe, expect, it } from 'vitest';
import { parseVerifyArgs } from '../../../src/cli/verify-args.ts';
import { CliUsageError } from '../../../src/cli/usage-error.ts';
import { runPacketVerify } from '../../../src/cli/verify-packet.ts';

const codeOf = (args: string[], env: Record<string, string> = {}): string => {
  try {
    parseVerifyArgs(args, env);
  } catch (error) {
    expect(error).toBeInstanceOf(CliUsageError);
    return (error as CliUsageError).code;
  }
  return 'parsed';
};

describe('verify arguments', () => {
  it('reads every flag, repeatable ones in order, `--flag=value` and `--flag value` alike', () => {
    const args = parseVerifyArgs(
      [
        '--db',
        'postgres://u@h/db',
        '--trust',
        'a.pem',
        '--trust=ed25519:ab',
        '--chain',
        'c1',
        '--chain=c2',
        '--state',
        's.json',
        '--signatures',
        'sample',
        '--sample-seed',
        'deadbeef',
        '--workers',
        '0',
        '--progress',
        '--json',
      ],
      {},
    );
    expect(args).toMatchObject({
      db: 'postgres://u@h/db',
      pglite: undefined,
      packet: undefined,
      trust: ['a.pem', 'ed25519:ab'],
      chains: ['c1', 'c2'],
      checkpoints: [],
      state: 's.json',
      signatures: 'sample',
      sampleSeed: 'deadbeef',
      workers: 0,
      progress: true,
      json: true,
      witnesses: [],
      witnessUrls: [],
      witnessQuorum: undefined,
    });
  });

  it('takes a packet as its one positional, a checkpoint stream alone, and $DATABASE_URL by default', () => {
    expect(parseVerifyArgs(['p.tar.gz', '--json'], {})).toMatchObject({
      packet: 'p.tar.gz',
      json: true,
      db: undefined,
    });
    expect(parseVerifyArgs(['--checkpoints', 'a.jsonl', '--checkpoints', 'b.jsonl'], {}).checkpoints).toEqual([
      'a.jsonl',
      'b.jsonl',
    ]);
    expect(parseVerifyArgs([], { DATABASE_URL: 'postgresql://h/d' }).db).toBe('postgresql://h/d');
    expect(parseVerifyArgs(['p.tar.gz'], {}).signatures).toBe('all');
  });

  it.each([
    [['--db']],
    [['--db=']],
    [['--db', '--json']],
    [['--json=1']],
    [['--progress=yes']],
    [['--nope']],
    [['-x']],
    [['a.tar.gz', 'b.tar.gz']],
    [['--signatures', 'some']],
    [['--sample-seed', 'abc']],
    [['--signatures', 'all', '--sample-seed', 'deadbeef']],
    [['--workers', '65']],
    [['--workers', '-1']],
    [['--db', 'mysql://h/d']],
    [['--db', 'postgres://h/d', '--pglite', 'dir']],
    [['p.tar.gz', '--db', 'postgres://h/d']],
    [[]],
    [['--pglite', '/nonexistent/proctor-no-db']],
  ])('%j is a usage error', (args) => {
    expect(codeOf(args)).toBe('ERR_CLI_USAGE');
  });
});

describe('verify <packet> arguments', () => {
  const fp = `ed25519:${'ab'.repeat(32)}`;
  it.each([
    [['p.tar.gz', '--trust']],
    [['p.tar.gz', '--trust=']],
    [['p.tar.gz', '--trust', '--json']],
    [['p.tar.gz', '--nope']],
    [['a.tar.gz', 'b.tar.gz', '--trust', fp]],
    [['--trust', fp]],
    [['p.tar.gz', '--trust', 'ed25519:xyz']],
    [['p.tar.gz', '--trust', fp, '--witness-quorum', '1']],
    [['p.tar.gz', '--trust', fp, '--json=1']],
  ])('%j exits 2 before reading the packet', async (args) => {
    const err: string[] = [];
    expect(await runPacketVerify(args, { stdout: () => undefined, stderr: (s) => err.push(s) })).toBe(2);
    expect(err.join('')).toContain('usage: proctor verify <packet.tar.gz>');
  });
});
