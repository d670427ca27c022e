// Review s14 (R2, attacker's review of session 14's changes), an RSA private exponent in decimal
// (recognizers-key-text.ts, 1c4a08f: 300+ digits after d, D, privateExponent or private exponent and :, =, Go's :+
// or a break). Each text is a fresh 2048-bit key's d (about 617 digits), as a tool or a language prints it one step
// aside. Controls: `d = <d>`, PyCryptodome's RsaKey(n=…, d=…), Python's private_exponent=, JSON members; and prose in
// the scripts aaa4495 reads as look-alikes (Cherokee, Lisu, Coptic, Armenian, Tifinagh, Greek and Cyrillic capitals)
// reaches the upstream unchanged (no false positive a user of those scripts would hit).
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';
import { isForwarded } from './round9-helpers.ts';

const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as Record<
  string,
  string
>;
/** A JWK member (base64url) as a decimal number. */
const decimal = (member: string) =>
  BigInt(`0x${Buffer.from(jwk[member] as string, 'base64url').toString('hex')}`).toString();
const [N, D, P, Q] = ['n', 'd', 'p', 'q'].map(decimal) as [string, string, string, string];

describe("an RSA key's d in decimal, one step aside from the labels recognizers-key-text.ts reads", () => {
  it.each([
    ['d = <d>', `d = ${D}`],
    ["PyCryptodome's RsaKey(n=…, e=…, d=…)", `RsaKey(n=${N}, e=65537, d=${D}, p=${P}, q=${Q}, u=1)`],
    ['private_exponent=<d>', `private_exponent=${D}`],
    ['a JSON "d" string beside "n"', JSON.stringify({ n: N, e: '65537', d: D })],
  ])('control: %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (recognizers-key-numbers.ts RSA_TUPLE_PRIVATE_EXPONENT): python-rsa's PrivateKey repr names no member
  // (PrivateKey(n, e, d, p, q)): d, the third of an (n, e, d, …) tuple after an odd public exponent, is read unlabelled.
  it("python-rsa's PrivateKey(n, 65537, d, p, q) is refused", async () => {
    expect(await isForwarded(`PrivateKey(${N}, 65537, ${D}, ${P}, ${Q})`)).toBe(false);
  });

  // Closed (recognizers-key-numbers.ts DECIMAL_PRIVATE_EXPONENT): the separators after d were :, = and Go's :+; Go's
  // `:=`, R's `<-`/`<<-` and `=>` are read too, and a number bc/dc print wrapped at 70 columns (a backslash before each
  // line break) is one number.
  it.each([
    ["Go's d := <d>", `d := ${D}`],
    ["R's d <- <d>", `d <- ${D}`],
    ["bc's d = <d> wrapped (69 digits, \\, a line break)", `d = ${(D.match(/.{1,69}/g) as string[]).join('\\\n')}`],
  ])('%s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});

describe('prose in the scripts whose letters are read as look-alikes', () => {
  it.each([
    ['Cherokee', 'ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ ᎠᏂᏴᏫᏯ ᏚᏳᎪᏛ ᎤᏓᏅᏘ ᎠᏍᎦᏯ ᎠᎨᏯ ᏗᏂᏲᏟ ᎠᏆᏤᎵ ᏣᎳᎩ ᎠᏰᎵ ᎤᎾᏓᏡᎬ ᏂᎦᏓ ᎠᏂᏍᎦᏯ ᏗᎧᎿᏩᏛᏍᏗ'],
    ['Lisu', 'ꓡꓲ-ꓢꓴ ꓟꓲ ꓞ ꓬꓲ ꓠꓬ ꓔꓯ ꓚꓳ ꓐꓳ ꓟꓲ ꓑꓲ ꓙꓲ ꓞ ꓢꓲ ꓟꓬ ꓗꓪ ꓐ ꓔꓯ ꓡꓲ ꓞ ꓠ ꓐ ꓟ ꓠꓬ'],
    ['Coptic', 'ⲁⲛⲟⲕ ⲡⲉ ⲡⲟⲩⲟⲉⲓⲛ ⲙⲡⲕⲟⲥⲙⲟⲥ ⲡⲉⲧⲟⲩⲏϩ ⲛⲥⲱⲓ ⲛⲛⲉϥⲙⲟⲟϣⲉ ϩⲙ ⲡⲕⲁⲕⲉ ⲁⲗⲗⲁ ϥⲛⲁϫⲓ ⲙⲡⲟⲩⲟⲉⲓⲛ ⲙⲡⲱⲛϩ'],
    ['Armenian', 'Հայաստանի Հանրապետության Սահմանադրությունը ընդունվել է 1995 թվականի հուլիսի 5-ին'],
    ['Tifinagh', 'ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴰⵏⴰⵡⴰⵢⵜ ⵜⵓⵜⵍⴰⵢⵜ ⵏ ⵉⵎⴰⵣⵉⵖⵏ ⴳ ⵜⵎⵓⵔⵜ ⵏ ⵍⵎⵖⵔⵉⴱ ⴷ ⵍⵣⵣⴰⵢⴻⵔ'],
    ['Greek capitals', 'ΑΚΙΑΖΕΥΣ ΚΑΙ ΜΙΑ ΤΡΙΑΝΤΑΦΥΛΛΙΑ ΣΤΗΝ ΑΘΗΝΑ ΤΟ 2021 ΟΙ ΚΑΤΟΙΚΟΙ ΤΗΣ ΠΟΛΗΣ ΕΙΠΑΝ'],
    ['Cyrillic capitals', 'АКІА ВСЕ КАРТОЧКИ ТОЧНО ОСТАВЛЕНЫ НА ВХОДЕ ВОКЗАЛА МОСКВА ТВЕРСКАЯ 7 КОРПУС 3'],
  ])('control: %s prose reaches the upstream unchanged', async (_name, text) => {
    expect(await upstreamHolds(text, text)).toBe(true);
  });
});
