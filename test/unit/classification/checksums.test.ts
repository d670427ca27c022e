// Check digits and address checksums against published test vectors, and one flipped character each.
// Bitcoin vectors are BIP 173 / BIP 350's (mainnet ones valid; wrong constant, wrong network or flipped ones not);
// Ethereum vectors are EIP-55's.
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  isValidAbaRouting,
  isValidBase58CheckAddress,
  isValidBech32Address,
  isValidBsn,
  isValidEthAddress,
  isValidIban,
  isValidNhsNumber,
} from '../../../src/classification/checksums.ts';
import { isValidCardNumber } from '../../../src/classification/cards.ts';

const BIP173_350_VALID = [
  'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4',
  'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y',
  'BC1SW50QGDZ25J',
  'bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs',
];
const BIP173_350_INVALID = [
  'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', // v1 with a bech32 checksum
  'BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL', // v16 with a bech32 checksum
  'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', // v0 with a bech32m checksum
  'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7', // testnet
  'bc1gmk9yu', // no data
];
const EIP55 = [
  '0x52908400098527886E0F7030069857D2E4169EE7',
  '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
  '0xde709f2102306220921060314715629080e2fb77',
  '0x27b1fdb04752bbc536007a920d24acb045561c26',
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
  '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
];

describe('checksums', () => {
  it('BSN 11-proef: the test numbers in common use pass, each with one digit changed fails, as do zeros and 8 digits', () => {
    for (const bsn of ['111222333', '123456782', '1234.56.782']) {
      expect(isValidBsn(bsn), bsn).toBe(true);
      const digits = bsn.replace(/\D/g, '');
      expect(isValidBsn(`${digits.slice(0, 8)}${(Number(digits[8]) + 1) % 10}`), digits).toBe(false);
    }
    expect(isValidBsn('000000000')).toBe(false);
    expect(isValidBsn('12345678')).toBe(false);
  });
  it('EIP-55 uses Keccak-256 (Ethereum padding), not SHA3-256: the empty-input vector', () => {
    expect(bytesToHex(keccak_256(new Uint8Array(0)))).toBe(
      'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
  });
  it("accepts every EIP-55 vector, and rejects each mixed-case one with one letter's case flipped", () => {
    for (const address of EIP55) {
      expect(isValidEthAddress(address), address).toBe(true);
      const hex = address.slice(2);
      if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) continue;
      const i = [...hex].findIndex((c) => c >= 'a' || (c >= 'A' && c <= 'F'));
      const c = hex[i] as string;
      const flipped = hex.slice(0, i) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + hex.slice(i + 1);
      expect(isValidEthAddress(`0x${flipped}`), flipped).toBe(false);
    }
  });
  it('bech32/bech32m: BIP 173 and BIP 350 mainnet vectors pass; wrong constant, network or no data fail', () => {
    for (const address of BIP173_350_VALID) expect(isValidBech32Address(address), address).toBe(true);
    for (const address of BIP173_350_INVALID) expect(isValidBech32Address(address), address).toBe(false);
  });
  it('base58check: P2PKH and P2SH pass; another version byte, a bad checksum or too long fail', () => {
    for (const address of ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', '1111111111111111111114oLvT2']) {
      expect(isValidBase58CheckAddress(address), address).toBe(true);
    }
    const invalid = [
      'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn', // testnet, version 0x6f
      '5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ', // a WIF private key: 37 bytes, not an address
      '1'.repeat(38),
      `1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2${'1'.repeat(2000)}`,
    ];
    for (const address of invalid) expect(isValidBase58CheckAddress(address), address).toBe(false);
  });
  it.each([
    [
      'iban',
      isValidIban,
      [
        'DE89370400440532013000',
        'GB82 WEST 1234 5698 7654 32',
        'FR1420041010050500013M02606',
        'NL91ABNA0417164300',
        'CH9300762011623852957',
      ],
      ['DE89370400440532013001', 'GB82WEST1234569876543', 'XX89370400440532013000', 'DE8937040044053201300'],
    ],
    [
      'aba',
      isValidAbaRouting,
      ['011000015', '021000021', '026009593', '121000358'],
      ['021000022', '000000000', '991000021'],
    ],
    ['nhs', isValidNhsNumber, ['9434765919', '943 476 5919', '4010232137'], ['9434765918', '1111111111', '943476591']],
    [
      'base58check',
      isValidBase58CheckAddress,
      ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy'],
      ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', '1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a'],
    ],
    [
      'bech32',
      isValidBech32Address,
      ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0'],
      ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'],
    ],
    [
      'eip55',
      isValidEthAddress,
      [
        '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
        '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
        '0x52908400098527886e0f7030069857d2e4169ee7',
      ],
      ['0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD', '0x' + '0'.repeat(40)],
    ],
    [
      'card',
      isValidCardNumber,
      [
        '4111111111111111',
        '5555555555554444',
        '2223003122003222',
        '378282246310005',
        '6011111111111117',
        '3530111333300000',
      ],
      ['4111111111111112', '1234567812345670', '9111111111111111', '5555555555554', '2721000000000004'],
    ],
  ] as const)('%s: accepts valid vectors and rejects altered ones', (_name, check, valid, invalid) => {
    for (const v of valid) expect(check(v), v).toBe(true);
    for (const v of invalid) expect(check(v), v).toBe(false);
  });
});
