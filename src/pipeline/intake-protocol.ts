// What the pipeline's intake (intake.ts, main thread) and its classification thread (intake-worker.ts) say to each
// other: the end marker of a body channel and the thread's reply. Types and one constant, imported by both sides.
import type { NormalizedRequest } from '../providers/index.ts';

/** The message that tells the thread the body is complete (chunks are Uint8Arrays, never strings). */
export const BODY_END = 'end';

export type IntakeReply =
  | { request: PackedRequest; classification: unknown }
  | { requestError: { code: string; message: string; param: string | null } }
  | { request: PackedRequest; classifyError: string }
  | { parseFailed: string };

/** A parsed request without its texts: each segment's text length, and v8.serialize({ body, texts }), as `texts`
 * or (for a body that came through a channel) written back into that channel. */
export interface PackedRequest {
  summary: Omit<NormalizedRequest, 'body' | 'segments'>;
  segments: (Omit<NormalizedRequest['segments'][number], 'text'> & { length: number })[];
  texts?: ArrayBuffer;
}
