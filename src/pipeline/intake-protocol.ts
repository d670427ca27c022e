// What the pipeline's intake (intake.ts, main thread) and its classification thread (intake-worker.ts) say to each
// other: the end marker of a body channel and the thread's reply. Types and one constant, imported by both sides.
import type { NormalizedRequest } from '../providers/index.ts';

/** The message that tells the thread the body is complete (chunks are Uint8Arrays, never strings). */
export const BODY_END = 'end';

export type IntakeReply =
  | ({ request: PackedRequest; promptTokensAtLeast: number } & Classified)
  | { requestError: { code: string; message: string; param: string | null } }
  | { parseFailed: string };

/** What became of a parsed request's classification: made, failed (its code), or not run because the prompt takes at
 * least more tokens than the subject had left (IntakeOptions.tokensLeft). */
export type Classified = { classification: unknown } | { classifyError: string } | { unclassified: 'tokens_left' };

/** A parsed request without its texts: each segment's text length, and v8.serialize({ body, texts }), as `texts`
 * or (for a body that came through a channel) written back into that channel. */
export interface PackedRequest {
  summary: Omit<NormalizedRequest, 'body' | 'segments'>;
  segments: (Omit<NormalizedRequest['segments'][number], 'text'> & { length: number })[];
  texts?: ArrayBuffer;
}
