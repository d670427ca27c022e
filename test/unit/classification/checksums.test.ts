// Check digits and address checksums against published test vectors, and one flipped character each.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  isValidAbaRouting, isValidBase58CheckAddress, isValidBech32Address, isValidEthAddress, isValidIban, isValidNhsNumber, keccak256,
} from '../../../src/classification/checksums.ts';
import { isValidCardNumber } from '../../../src/classification/cards.ts';

describe('checksums', () => {
  it('keccak256 matches the Ethereum empty-input vector, and SHA3-256 with the FIPS suffix', () => {
    expect(keccak256(Buffer.alloc(0)).toString('hex')).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    for (const input of [Buffer.from('abc'), Buffer.alloc(135, 1), Buffer.alloc(136, 2), Buffer.alloc(300, 3)]) {
      expect(keccak256(input, 0x06).toString('hex')).toBe(createHash('sha3-256').update(input).digest('hex'));
    }
  });
  it.each([
    ['iban', isValidIban, ['DE89370400440532013000', 'GB82 WEST 1234 5698 7654 32', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'CH9300762011623852957'],
      ['DE89370400440532013001', 'GB82WEST1234569876543', 'XX89370400440532013000', 'DE8937040044053201300']],
    ['aba', isValidAbaRouting, ['011000015', '021000021', '026009593', '121000358'], ['021000022', '000000000', '991000021']],
    ['nhs', isValidNhsNumber, ['9434765919', '943 476 5919', '4010232137'], ['9434765918', '1111111111', '943476591']],
    ['base58check', isValidBase58CheckAddress, ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy'], ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', '1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a']],
    ['bech32', isValidBech32Address, ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0'], ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4']],
    ['eip55', isValidEthAddress, ['0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359', '0x52908400098527886e0f7030069857d2e4169ee7'], ['0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD', '0x' + '0'.repeat(40)]],
    ['card', isValidCardNumber, ['4111111111111111', '5555555555554444', '2223003122003222', '378282246310005', '6011111111111117', '3530111333300000'], ['4111111111111112', '1234567812345670', '9111111111111111', '5555555555554', '2721000000000004']],
  ] as const)('%s: accepts valid vectors and rejects altered ones', (_name, check, valid, invalid) => {
    for (const v of valid) expect(check(v), v).toBe(true);
    for (const v of invalid) expect(check(v), v).toBe(false);
  });
});
