// Built-in recognizers for a private key alone on a line under what names it: a WireGuard configuration's
// `PrivateKey =` line (written, or in a JSON string with its line breaks escaped) and `wg genkey`'s output under its
// command in a pasted shell session. Each is PRIVATE_KEY (SECRET); a `PublicKey =` line and `wg pubkey`'s output are
// none. RE2 patterns (linear, no backtracking), each with the partial a stream holds.
import { prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

/** A line's start: the text's, after a line break, or after one escaped in a JSON string (`\n`). */
const LINE_START = String.raw`(?:^|[\r\n]|\\n)`;
/** A line's end: a line break, written or escaped, a blank, a string's closing quote, or the text's end. */
const LINE_END = String.raw`(?:[ \t\r\n"'\x60]|\\[rn]|$)`;
/** A Curve25519 key: 32 bytes in base64, 43 characters (the last holding 4 bits) and `=`. */
const KEY_32 = '[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=';

/**
 * A WireGuard configuration's private key (`wg genkey`, `[Interface]`'s `PrivateKey = <base64>`): a Curve25519 key of
 * 32 bytes, 43 base64 characters and `=`, alone after `PrivateKey =` on its line (any case, as wg reads its keys), the
 * line's breaks written or escaped (`\n`: a wg0.conf in a JSON string, an Ansible variable, a tool call's argument).
 * `PublicKey` and `PresharedKey` lines are none. Cost: a `PrivateKey = ` line holding a random 32-byte base64 value
 * reads as a key.
 */
export const WIREGUARD_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`${LINE_START}[ \t]*(?i:privatekey)[ \t]*=[ \t]*(${KEY_32})${LINE_END}`,
  // The label's beginnings, its `=` and the value as far as it has come.
  partial: String.raw`(?:^|[\r\n]|\\n?)[ \t]*(?i:${prefixOf('privatekey', String.raw`[ \t]*(?:=[ \t]*[A-Za-z0-9+/=]*)?`)})`,
  group: 1,
  validator: 'key_material',
  contextWords: ['wireguard', 'interface', 'peer', 'wg'],
  baseScore: 95,
  contextScore: 100,
};

/** A shell prompt opening a line: `$ `, `# `, `% `, `> `, after a user, host or path (`me@vpn:~$ `, `PS C:\\> `). */
const PROMPT = String.raw`(?:^|[\r\n])[ \t]*(?:[A-Za-z0-9_@.:~/\\ -]{0,64}[$#%>])[ \t]+`;
/**
 * A shell command line that prints a private key, after its prompt: `wg genkey` (alone, or into `tee`: no `wg pubkey`
 * after it, which prints the public key), or one naming a private key file with no pipe (`cat privatekey`).
 */
const PRINTS_PRIVATE = String.raw`${PROMPT}(?:[^\r\n|]*\bwg[ \t]+genkey[ \t]*(?:\|[ \t]*tee\b[^\r\n|]*)?|[^\r\n|]*(?i:private)[^\r\n|]*)`;

/**
 * `wg genkey`'s output in a pasted shell session: a Curve25519 key (32 bytes in base64) alone on the line right after
 * a prompt and a command that prints a private key (PRINTS_PRIVATE). `wg genkey | wg pubkey` and `wg pubkey < privatekey` print a
 * public key: none. The finding is the key. Cost: a 32-byte base64 value alone under a prompt's command line naming a
 * private key file reads as a key.
 */
export const WG_GENKEY_OUTPUT: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`${PRINTS_PRIVATE}\r?\n[ \t]*(${KEY_32})[ \t]*(?:\r?\n|$)`,
  // The command line and the key's line as far as it has come.
  partial: String.raw`${PRINTS_PRIVATE}\r?\n?[ \t]*[A-Za-z0-9+/=]{0,44}[ \t]*\r?`,
  group: 1,
  validator: 'key_material',
  contextWords: ['wireguard', 'genkey', 'wg'],
  baseScore: 95,
  contextScore: 100,
  // A set of its own (recognizer-sets.ts): its prompt's 64 characters of one class at every line's start, in one DFA
  // with the other long runs, cost 16 ms a 64 KB README (2026-12-08); alone 2 ms.
  separateSet: true,
};

/** The recognizers this file defines, in the order a set lists them. */
export const KEY_LINE_RECOGNIZERS: readonly RecognizerDefinition[] = Object.freeze([
  WIREGUARD_PRIVATE_KEY,
  WG_GENKEY_OUTPUT,
]);
