// Review s13 (R1), streams: 93b4a97's key-file holds (stream-key-hold.ts) hold a JWK INI section from its anchor line
// (kty/crv/[jwk]) while JWK_SECTION_OPENING matches up to the end of what has come: up to seven more lines of any
// length, past the partial hold limit (1,024). A benign answer with a `crv: P-256` line and then one long line (a
// minified blob, a long paragraph) is held whole from that line; past the scanner's 65,536 characters the stream
// fails closed (ERR_STREAM_BUFFER_EXCEEDED: the answer blocked, nothing written) instead of being released. Through
// the real relay (relayScripted: a chat stream, the real classifier). Holes are `it.fails` with a
// `HOLE (open, <file>)` comment naming the fix; controls are `it`.
import { describe, expect, it } from 'vitest';
import { CHAT_STREAM, chatChunk } from './fixtures.ts';
import { receivedPayloads, relayScripted } from './relay-harness.ts';
import { CHAT } from './round7-helpers.ts';
import { pieces, RULES } from './round9-helpers.ts';

/** A chat stream of `text` in deltas of 64 characters: what reached the client, and the relay's error code. */
async function relayed(text: string): Promise<{ received: string; error: string | null }> {
  const events = [
    chatChunk({ role: 'assistant', content: '' }),
    ...pieces(text, 64).map((content) => chatChunk({ content })),
    chatChunk({}, 'stop'),
    { data: '[DONE]' },
  ];
  const { out, result } = await relayScripted(CHAT, CHAT_STREAM, events, RULES);
  const received = receivedPayloads(out)
    .map((p) => (p.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content ?? '')
    .join('');
  return { received, error: result.error };
}

/** 70,000 characters of prose on one line: no finding, no line break. */
const LINE = 'the quick brown fox jumps over the lazy dog and then some more words follow here. '
  .repeat(900)
  .slice(0, 70_000);

describe('stream-key-hold.ts, JWK_SECTION_OPENING (93b4a97): a section opening never closes', () => {
  it('control: `kind = EC` then the 70,000-character line streams to the client whole', async () => {
    expect(await relayed(`kind = EC\n${LINE}`)).toEqual({ received: `kind = EC\n${LINE}`, error: null });
  }, 120_000);

  // Closed (recognizers-key-files.ts JWK_SECTION_OPENING, SECTION_LINE): a section's lines were `[^\r\n]*`
  // (unbounded), so one anchor line held the rest of the answer until it passed maxBuffer and the stream failed; each
  // line is now bounded (a section's other line 137 characters, the hold's 139), so a longer line releases the anchor
  it('`crv: P-256` then the same line streams to the client whole', async () => {
    // Measured before: error ERR_CLASSIFICATION_FAILED (the scanner's ERR_STREAM_BUFFER_EXCEEDED), 0 events written.
    expect(await relayed(`crv: P-256\n${LINE}`)).toEqual({ received: `crv: P-256\n${LINE}`, error: null });
  }, 120_000);
});
