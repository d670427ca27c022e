// Vitest setup: the seed of every fast-check property that does not pin its own. It follows the commit (a hash of
// `git rev-parse HEAD`), so each commit explores new cases while a fresh clone of one commit replays exactly what its
// CI ran, and a failure seen in CI reproduces locally. PROCTOR_FC_SEED=<int> replays a reported seed;
// PROCTOR_FC_SEED=random explores (fast-check's own per-run seed). Outside a git checkout the seed is fast-check's.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fc from 'fast-check';

function commitSeed(): number | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return createHash('sha256').update(head.trim()).digest().readInt32BE(0);
  } catch {
    return undefined; // not a git checkout (an unpacked archive): no commit to follow
  }
}

const chosen = process.env.PROCTOR_FC_SEED;
const seed = chosen === 'random' ? undefined : chosen !== undefined ? Number.parseInt(chosen, 10) : commitSeed();
if (seed !== undefined) {
  if (!Number.isSafeInteger(seed)) throw new Error(`PROCTOR_FC_SEED must be an integer or "random", got ${chosen}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
