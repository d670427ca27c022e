// Round 8 of the attacker's review (session 10), a card or an SSN whose groups are split by two kinds of separator:
// the digits view turns a run of separators into one `-` but keeps one ASCII space or one `-` as it is
// (docs/classification.md, digits view), and the card and SSN patterns take one separator family, so a value with a
// single space between some groups and a line break, a `-` or a `.` between others reads as no grouping. The most
// ordinary case is a card number wrapped over two lines (`5500 0055⏎5555 5559`). The join windows' cut readings
// (join-window.ts digitCutReadings, ad2bcbe) add a space at a digit-digit cut only, so a message ending in a line
// break or a space, or a dotted value cut (`5500.0055` | `5555.5559`, its `.` never used at a cut), is the same case.
// Controls: one separator family (double spaces included, as the docs' `4111  1111  1111  1111`) is refused;
// number runs with two kinds of separator that spell no SSN and no valid card are forwarded. All closed by
// mixed-separators.ts.
import { describe, expect, it } from 'vitest';
import { defaultEngine } from '../helpers/mcp-harness.ts';
import { anthropicAnswer, hostileServer, prompt, textResult } from './fixtures.ts';
import { CHAT, forwarded, screened } from './round7-helpers.ts';

const RULES = { redact: ['CREDIT_CARD', 'US_SSN'], block: [] };
/** What the client gets of an Anthropic answer whose text blocks are `texts` (`null` when withheld). */
const relayed = (texts: readonly string[]) =>
  screened('anthropic.messages', anthropicAnswer(texts.map((text) => ({ type: 'text', text }))), RULES);

describe('a card or SSN with two kinds of separator', () => {
  // Closed (classification/mixed-separators.ts): a run of groups holding single spaces and another separator has its
  // spaces read as `-` too when its groups spell an SSN (3-2-4, the whole run) or a card (layout, issuer, Luhn).
  it.each([
    ['a card wrapped over two lines', 'card 5500 0055\n5555 5559'],
    ['a card wrapped with CRLF', 'card 4111 1111\r\n1111 1111'],
    ['an SSN wrapped over two lines', 'ssn 219 09\n9999'],
    ['a card with dashes and spaces', 'card 4111-1111 1111-1111'],
    ['a card with dots and spaces', 'card 4111.1111 1111.1111'],
    ['an SSN with a dash and a space', 'ssn 219-09 9999'],
  ])('%s is refused and not relayed', async (_name, text) => {
    expect({ sent: await forwarded(CHAT, prompt(text)), relayed: await relayed([text]) }).toEqual({
      sent: '',
      relayed: expect.not.stringContaining(text.slice(-4)),
    });
  });
  // Closed by the same reading: the joined text holds the value with two kinds of separator (whitespace at the cut,
  // or a dotted value read with a space at the cut, join-window.ts cutSeparator).
  it.each([
    ['the first message ending in a line break', ['card 5500 0055\n', '5555 5559']],
    ['a space on both sides of the cut', ['card 5500 0055 ', ' 5555 5559']],
    ['a dotted card', ['card 5500.0055', '5555.5559']],
    ['a dotted SSN', ['ssn 219.09', '9999']],
    ['an SSN with a space on both sides', ['ssn 219 09 ', ' 9999']],
  ])('cut between two messages, %s, is refused and not relayed', async (_name, texts) => {
    expect({ sent: await forwarded(CHAT, prompt(...texts)), relayed: await relayed(texts) }).toEqual({
      sent: '',
      relayed: expect.not.stringContaining((texts[1] as string).slice(-4)),
    });
  });
  it('control: one separator family, double spaces, or a dash before a line break are refused and redacted', async () => {
    for (const texts of [
      ['card 4111  1111  1111  1111'],
      ['card 5500  0055  5555  5559'],
      ['card 4111-1111-\n1111-1111'],
      ['ssn 219-09-\n9999'],
      ['card 4111 - 1111 - 1111 - 1111'],
      ['card 5500 0055', ' 5555 5559'],
      ['card 5500 0055 ', '5555 5559'],
      ['card 5500.0055.5555.5559'],
    ]) {
      expect({ sent: await forwarded(CHAT, prompt(...texts)), relayed: await relayed(texts) }).toEqual({
        sent: '',
        relayed: expect.not.stringContaining((texts[texts.length - 1] as string).slice(-4)),
      });
    }
  });
});

describe('number runs with two kinds of separator that are no value (false-positive controls)', () => {
  it.each([
    ['dates and times', 'on 2024-03 14 at 12 05\n2024, or 14.03 2024-09-19'],
    ['phone-like groups', 'call 415 555-2671 or 555 123\n4567'],
    ['versions, prices and coordinates', 'v1.2 3.4.5, prices 250.75 1200.50, at -74.006 51.5072'],
    ['a table of four-digit numbers', '2019 2020\n2021 2022\n4521 4522\n1843 9021'],
    ['a card layout failing Luhn', 'card 4111 1111\n1111 1112'],
  ])('%s are forwarded and relayed as they are', async (_name, text) => {
    expect({ sent: await forwarded(CHAT, prompt(text)), relayed: await relayed([text]) }).toEqual({
      sent: expect.stringContaining(JSON.stringify(text).slice(-8, -1)),
      relayed: expect.stringContaining(JSON.stringify(text).slice(-8, -1)),
    });
  });
});

describe('a card or SSN with two kinds of separator from an MCP server', () => {
  // Closed as above: the MCP result and progress screens read through the same views.
  it('a card wrapped over two lines in a tool result, or an SSN in a progress message, is not relayed', async () => {
    const engine = await defaultEngine();
    const result = await hostileServer(engine, [], textResult('card 5500 0055\n5555 5559'))();
    const progress = await hostileServer(engine, [{ progress: 1, message: 'ssn 219 09\n9999' }], textResult('ok'))();
    expect(`${result.out}\n${progress.out}`).not.toMatch(/5559|9999/);
  });
  it('control: the same values with one separator kind are withheld', async () => {
    const engine = await defaultEngine();
    const result = await hostileServer(engine, [], textResult('card 5500 0055 5555 5559'))();
    const progress = await hostileServer(engine, [{ progress: 1, message: 'ssn 219 09 9999' }], textResult('ok'))();
    expect(`${result.out}\n${progress.out}`).not.toMatch(/5559|9999/);
  });
});
