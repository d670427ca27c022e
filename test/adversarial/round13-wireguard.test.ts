// Round 13 of the attacker's review (session 15), a WireGuard private key (recognizers-key-files.ts, 9ab4c4c: `PrivateKey
// = ` and 44 characters of base64 alone on its line) where configuration management and shells put it: a wg0.conf held
// in a JSON string (an Ansible variable, a Terraform template's rendered value, a tool call's argument: its line breaks
// escaped as `\n`), and `wg genkey`'s output in a pasted shell session (the key alone under the command). A peer holding
// the key is the tunnel. Controls: the config file as written, in a YAML block scalar and with `PrivateKey=`, refused.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';

const ED = generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' }) as Record<string, string>;
const PRIVATE = Buffer.from(ED.d as string, 'base64url').toString('base64');
const PUBLIC = Buffer.from(ED.x as string, 'base64url').toString('base64');
const CONF = `[Interface]\nAddress = 10.8.0.2/32\nPrivateKey = ${PRIVATE}\nDNS = 1.1.1.1\n\n[Peer]\nPublicKey = ${PUBLIC}\n`;
/** Characters 5-19 of the private key: only its own line holds them. */
const PROBE = PRIVATE.slice(5, 20);

describe('a WireGuard private key in configuration management and shell sessions', () => {
  it('control: the config as written, in a YAML block scalar and with PrivateKey= is refused', async () => {
    expect(await upstreamHolds(CONF, PROBE)).toBe(false);
    const yaml = `wg0.conf: |\n${CONF.split('\n')
      .map((l) => `  ${l}`)
      .join('\n')}`;
    expect(await upstreamHolds(yaml, PROBE)).toBe(false);
    expect(await upstreamHolds(CONF.replace('PrivateKey = ', 'PrivateKey='), PROBE)).toBe(false);
  });

  // Closed (recognizers-key-lines.ts WIREGUARD_PRIVATE_KEY): the line had to be alone, from a line break to a line
  // break; in a JSON string the breaks are the two characters `\n`, so `\nPrivateKey = …\n` was inside one line. An
  // escaped break (and a string's closing quote) now bounds the line too.
  it('the config in a JSON string (escaped line breaks) is refused', async () => {
    expect(await upstreamHolds(JSON.stringify({ wireguard_config: CONF }), PROBE)).toBe(false);
  });

  // Closed (recognizers-key-lines.ts WG_GENKEY_OUTPUT): `wg genkey` prints the key alone on a line; pasted with its
  // command, a 32-byte base64 line right under a prompt's `wg genkey` (into `tee` at most) or a command naming a private
  // key file with no pipe (`$ cat privatekey`) is a key; `wg genkey | wg pubkey`'s output is none.
  it("wg genkey's output under its command is refused", async () => {
    const session = `$ wg genkey | tee privatekey | wg pubkey > publickey\n$ cat privatekey\n${PRIVATE}\n`;
    expect(await upstreamHolds(session, PROBE)).toBe(false);
  });
});
