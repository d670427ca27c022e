// The round 9 ops suites' measure of one request: its answer, the event loop's longest block while it was answered
// (ms, compared only with other requests in the same run) and a work counter's growth meanwhile.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promptBody } from './request-bodies.ts';
import type { AdversarialStack, Exchange } from './stack.ts';

/** `text` sent as a chat prompt by a subject of its own (`group`: each has the default limits to itself). */
export async function measured(
  stack: AdversarialStack,
  text: string,
  group: string,
  counter: () => number = () => 0,
): Promise<{ x: Exchange; ms: number; counted: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  const before = counter();
  histogram.enable();
  try {
    const x = await stack.send('chat', promptBody('chat', text), { groups: [group] });
    return { x, ms: histogram.max / 1e6, counted: counter() - before };
  } finally {
    histogram.disable();
  }
}

/** The middle value (the upper of the two middle ones for an even count). */
export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Ordinary prose of `chars` characters: the baseline a hostile text's cost is compared with. */
export const prose = (chars: number) =>
  'The quarterly review covers staffing, travel and the new office lease. '.repeat(chars / 70 + 1).slice(0, chars);
