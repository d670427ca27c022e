// Shared by the round 10 attack files (round10-*.test.ts, session 12): what the upstream receives for a chat message
// holding a text, for values a policy redacts rather than refuses (an IBAN: the request is forwarded, its value
// replaced), so the closed-world property is "the upstream never receives the value", not "the request is refused".
import { prompt } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

/** Whether the upstream receives `probe` (a piece of the value only it holds) for a chat message holding `text`. */
export async function upstreamHolds(text: string, probe: string): Promise<boolean> {
  return (await forwarded(CHAT, prompt(text))).includes(probe);
}

/** `value`'s characters with `filler` between each two. */
export const between = (value: string, filler: string) => [...value].join(filler);
