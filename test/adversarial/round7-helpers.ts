// Shared by the round 7 attack files (round7*.test.ts): the planted values, the answer rules, and the two views of
// the real pipeline they read (what the recording pipeline forwarded; what the answer screen relays).
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { adapterFor } from '../../src/providers/index.ts';
import type { Planted } from './leaks.ts';
import { classifier, recordingPipeline } from './recording-pipeline.ts';

/** The answer rules of the default policy that matter here: vendor keys block, e-mail is redacted. */
export const RULES = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY', 'GITHUB_TOKEN', 'STRIPE_SECRET_KEY', 'NPM_TOKEN'] };
export const AWS: Planted = { label: 'AWS_ACCESS_KEY', value: 'AKIAZ3MQWXR5TLPB6Y7N' };
export const HALVES = ['AKIAZ3MQWX', 'R5TLPB6Y7N'] as const;
/** A GitHub token (`ghp_` + 36) whose last four characters are lower-case letters. */
export const GH: Planted = { label: 'GITHUB_TOKEN', value: 'ghp_16C7e42F292c6912E7710c838347Ae17xbab' };
export const CHAT = 'openai.chat_completions';
type ScreenApi = typeof CHAT | 'anthropic.messages' | 'openai.responses' | 'openai.embeddings';

/** Whether both halves of the key reach `out`. */
export const holdsBoth = (out: string) => HALVES.every((half) => out.includes(half));

/** The answer as the client would get it after the real screen ('null' when withheld). */
export async function screened(
  api: ScreenApi,
  body: unknown,
  rules: { redact: readonly string[]; block: readonly string[] } = RULES,
): Promise<string> {
  return JSON.stringify((await screenResponse(adapterFor(api), classifier, body, rules)).body ?? null);
}

/** What the recording pipeline sent upstream for one request (empty when refused). */
export async function forwarded(api: typeof CHAT | 'anthropic.messages', body: unknown): Promise<string> {
  const { handler, sent } = await recordingPipeline();
  await handler.handle({ requestId: 'r7', api, headers: {}, body: new TextEncoder().encode(JSON.stringify(body)) });
  return sent.join('\n');
}
