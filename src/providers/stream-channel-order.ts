// One text channel at a time: the order the stream readers hold an upstream to. The relay's hold-back scanner reads
// every channel's text in the order it arrives, as one text, while a client joins each channel's deltas by its index;
// a channel given text again after another channel's text (tool call 0, 1, then 0; an Anthropic block 0, 1, then 0;
// a Responses item or content part 0, 1, then 0), or after it was closed, would put another channel's text between
// two pieces the client joins. OpenAI and Anthropic stream one tool call, content block, output item and content part
// at a time, so such a delta is a protocol error (ERR_UPSTREAM_BAD_RESPONSE), never relayed. Empty text is no text.
import { StreamProtocolError } from './types.ts';

export interface ChannelOrder {
  /** Before `channel`'s text is relayed. Throws StreamProtocolError when the channel is resumed or closed. */
  text(channel: string, text: string): void;
  /** `channel` ended (a `.done` or stop event): text for it after this is a protocol error. */
  close(channel: string): void;
}

export function channelOrder(): ChannelOrder {
  let current: string | null = null;
  const ended = new Set<string>();
  return {
    text(channel, text) {
      if (text === '' || channel === current) return;
      if (ended.has(channel)) {
        throw new StreamProtocolError(`${channel} was given text after another channel's text or its own end`);
      }
      if (current !== null) ended.add(current);
      current = channel;
    },
    close(channel) {
      ended.add(channel);
      if (channel === current) current = null;
    },
  };
}
