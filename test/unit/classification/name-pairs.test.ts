// A request's names (model, tool and function names, tool-call names, tool_choice, participants) read two by two:
// a key split over two names that are not neighbours is found in every API's shape, a piece in each; names that can
// be no value's piece cost nothing; past MAX_NAME_PAIR_CHARS the call is refused, never read in part.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClassificationError, createClassifier } from '../../../src/classification/index.ts';
import { MAX_NAME_PAIR_CHARS, nameSetWindows } from '../../../src/classification/name-pairs.ts';
import { adapterFor, type Api } from '../../../src/providers/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
/** A GitHub token in two halves, each a valid tool name. */
const GH = ['ghp_16C7e42F292c6912E7710c', '838347Ae178B4a'] as const;
const chatTool = (name: string) => ({ type: 'function', function: { name, parameters: { type: 'object' } } });

/** The paths of the segments a finding touches in a parsed request (its secret's pieces). */
function touched(api: Api, body: unknown): string[] {
  const request = adapterFor(api).parse(new TextEncoder().encode(JSON.stringify(body)));
  const { findings } = classifier.classify(request.segments);
  return findings.filter((f) => f.category === 'SECRET').map((f) => f.path);
}

describe("a key split over a request's names", () => {
  it('chat: an ordinary tool between the halves, the model and a tool, a tool and tool_choice, a tool and a call', () => {
    const hi = [{ role: 'user', content: 'hi' }];
    const between = { model: 'echo-1', messages: hi, tools: [chatTool(GH[0]), chatTool('lookup'), chatTool(GH[1])] };
    expect(touched('openai.chat_completions', between)).toEqual(['tools[0].function.name', 'tools[2].function.name']);
    const model = { model: `m-${GH[0]}`, messages: hi, tools: [chatTool(GH[1])] };
    expect(touched('openai.chat_completions', model)).toEqual(['model', 'tools[0].function.name']);
    const choice = {
      model: 'echo-1',
      messages: hi,
      tools: [chatTool(GH[0])],
      tool_choice: { type: 'function', function: { name: GH[1] } },
    };
    expect(touched('openai.chat_completions', choice)).toEqual(['tools[0].function.name', 'tool_choice.function.name']);
    const call = {
      model: 'echo-1',
      messages: [
        ...hi,
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', function: { name: GH[1], arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      ],
      tools: [chatTool(GH[0])],
    };
    expect(touched('openai.chat_completions', call)).toEqual([
      'messages[1].tool_calls[0].function.name',
      'tools[0].function.name',
    ]);
  });

  it('Responses and Anthropic: a function call or tool_use naming one half, a tool or tool_choice the other', () => {
    const responses = {
      model: 'echo-1',
      input: [
        { role: 'user', content: 'hi' },
        { type: 'function_call', call_id: 'c1', name: GH[1], arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      ],
      tools: [
        { type: 'function', name: GH[0], parameters: {} },
        { type: 'function', name: 'lookup', parameters: {} },
      ],
    };
    expect(touched('openai.responses', responses)).toEqual(['input[1].name', 'tools[0].name']);
    const anthropic = {
      model: 'echo-1',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
      tools: [
        { name: GH[0], input_schema: { type: 'object' } },
        { name: 'lookup', input_schema: { type: 'object' } },
      ],
      tool_choice: { type: 'tool', name: GH[1] },
    };
    expect(touched('anthropic.messages', anthropic)).toEqual(['tools[0].name', 'tool_choice.name']);
  });

  it("chat: a half in a participant's name of any length (its first and last 128 characters), the other a tool", () => {
    const turns = (name: string) => [
      { role: 'user', name, content: 'hi' },
      { role: 'user', content: 'fine' },
    ];
    const body = (name: string, half: string) => ({
      model: 'echo-1',
      messages: turns(name),
      tools: [chatTool('lookup'), chatTool(half)],
    });
    const both = expect.arrayContaining(['messages[0].name', 'tools[1].function.name']);
    expect(touched('openai.chat_completions', body(GH[0], GH[1]))).toEqual(both);
    expect(touched('openai.chat_completions', body(`${'x'.repeat(200)}-${GH[0]}`, GH[1]))).toEqual(both);
    expect(touched('openai.chat_completions', body(`${GH[1]}-${'x'.repeat(200)}`, GH[0]))).toEqual(both);
    // Participant names are not paired with each other: each is read beside its own turn's text (reading orders).
    const ownTurn = { model: 'echo-1', messages: [{ role: 'user', name: GH[0], content: GH[1] }] };
    expect(touched('openai.chat_completions', ownTurn)).toEqual(
      expect.arrayContaining(['messages[0].name', 'messages[0].content']),
    );
  });

  it('a lower-cased AWS key id over two tool names, neither valueLike (a digit makes each a possible piece)', () => {
    const tools = ['akiaz3mqwx', 'lookup', 'r5tlpb6y7n'].map(chatTool);
    const body = { model: 'echo-1', messages: [{ role: 'user', content: 'hi' }], tools };
    // The list's own joins glue `akiaz3mqwx` onto the schema's `type`, `object`, … (a 20-character lower-case id too).
    expect(touched('openai.chat_completions', body)).toEqual(
      expect.arrayContaining(['tools[0].function.name', 'tools[2].function.name']),
    );
  });

  it('any split point, any ordinary tools around and between the halves: both halves are touched', () => {
    const ordinary = fc.constantFrom('lookup', 'search', 'get_weather', 'send_mail', 'read-file');
    const token = `${GH[0]}${GH[1]}`;
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: token.length - 4 }),
        fc.array(ordinary, { maxLength: 3 }),
        fc.array(ordinary, { maxLength: 3 }),
        fc.array(ordinary, { maxLength: 3 }),
        (cut, before, between, after) => {
          const names = [...before, token.slice(0, cut), ...between, token.slice(cut), ...after];
          const body = { model: 'echo-1', messages: [{ role: 'user', content: 'hi' }], tools: names.map(chatTool) };
          const first = before.length;
          const second = before.length + 1 + between.length;
          // A neighbour glued onto the token by the list's own joins may be touched too; both halves always are.
          expect(touched('openai.chat_completions', body)).toEqual(
            expect.arrayContaining([`tools[${first}].function.name`, `tools[${second}].function.name`]),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('nameSetWindows', () => {
  const name = (text: string, i: number) => ({ path: `tools[${i}].function.name`, text });

  it('names that can be no value piece, and a property-name list keyed name, make no window', () => {
    expect(nameSetWindows(['lookup', 'search', 'get_weather'].map(name))).toEqual([]);
    const keyList = [
      { path: 'tools[0].function.parameters.properties.name', text: 'ABCDEF12' },
      { path: 'tools[0].function.parameters.properties.name.type', text: 'string' },
      name('search', 1),
    ];
    expect(nameSetWindows(keyList)).toEqual([]);
  });

  it('each name text once (its first segment), both orders, a space where digits meet; a digit makes a piece', () => {
    const [window] = nameSetWindows([{ path: 'model', text: 'm1' }, name('A1B2C3', 0), name('m1', 1), name('42', 2)]);
    const pairs = window?.text.split('\n!\n');
    expect(pairs).toEqual(['m1A1B2C3', 'A1B2C3m1', 'm142', 'm1 42', '42m1', 'A1B2C342', 'A1B2C3 42', '42A1B2C3']);
    expect(window?.parts.filter((p) => p.segment === 2)).toEqual([]); // `m1` read at the model's segment
  });

  it('participant names are paired with the model and tool names only; a long one by its first and last 128', () => {
    const turn = (text: string, i: number) => ({ path: `messages[${i}].name`, text });
    const [window] = nameSetWindows([{ path: 'model', text: 'm1' }, turn('agent_1', 0), turn('agent_2', 1)]);
    expect(window?.text.split('\n!\n')).toEqual(['m1agent_1', 'agent_1m1', 'm1agent_2', 'agent_2m1']);
    expect(nameSetWindows([turn('agent_1', 0), turn('agent_2', 1)])).toEqual([]);
    const long = `A1${'b'.repeat(300)}Z9`;
    const [ends] = nameSetWindows([name('lookup', 0), turn(long, 1)]);
    expect(ends?.text.split('\n!\n')).toEqual([
      `lookup${long.slice(0, 128)}`,
      `${long.slice(0, 128)}lookup`,
      `lookup${long.slice(-128)}`,
      `${long.slice(-128)}lookup`,
    ]);
    expect(ends?.parts.filter((p) => p.segment === 1).map((p) => p.from)).toEqual([0, 0, 176, 176]);
    // 4,096 turns, each a possible piece, and the model: 8,192 pairs, within the bound.
    const many = Array.from({ length: 4096 }, (_, i) => turn(`agent_${i}`, i));
    expect(nameSetWindows([{ path: 'model', text: 'echo-1' }, ...many])[0]?.text.length).toBeLessThan(
      MAX_NAME_PAIR_CHARS,
    );
  });

  it('pairs of more than MAX_NAME_PAIR_CHARS characters: refused (ERR_NAME_PAIRS_EXCEEDED), never read in part', () => {
    // 128 names of 64 characters, each able to be a piece: 8,128 pairs, both orders, 128 characters each.
    const many = Array.from({ length: 128 }, (_, i) => name(`NAME${i}X`.padEnd(64, 'Q'), i));
    expect(128 * 127 * 128 > MAX_NAME_PAIR_CHARS).toBe(true);
    expect(nameSetWindows(many.slice(0, 64))[0]?.text.length).toBeLessThan(MAX_NAME_PAIR_CHARS);
    const failure = (() => {
      try {
        nameSetWindows(many);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(ClassificationError);
    expect((failure as ClassificationError).code).toBe('ERR_NAME_PAIRS_EXCEEDED');
  });
  it('walks only the pairs it reads, in the order of a walk of every pair (a reference walk of all)', () => {
    const pieces = ['x1', 'AKIAZ3', '42', 'ghp_', 'A1b2'];
    const words = ['lookup', 'get_weather', 'GetWeather', 'abcd'];
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...pieces, ...words, 'zz', 'search', 'b7', '9'), { maxLength: 9 }),
        fc.uniqueArray(fc.constantFrom('agent', 'x9', 'bob', '77'), { maxLength: 3 }),
        (tools, turns) => {
          const texts = [...tools, ...turns.filter((t) => !tools.includes(t))];
          const segments = [...tools.map(name), ...turns.map((text, i) => ({ path: `messages[${i}].name`, text }))];
          const like = (t: string) => /\d|_$|^[A-Z0-9_]+$/.test(t);
          const expected: string[] = [];
          for (let i = 0; i < tools.length; i += 1)
            for (let j = i + 1; j < texts.length; j += 1) {
              const [a, b] = [texts[i] as string, texts[j] as string];
              if (!like(a) && !like(b)) continue;
              for (const [x, y] of [
                [a, b],
                [b, a],
              ] as const) {
                expected.push(`${x}${y}`);
                if (/\d$/.test(x) && /^\d/.test(y)) expected.push(`${x} ${y}`);
              }
            }
          const work = { pairsWalked: 0 };
          const [window] = nameSetWindows(segments, work);
          expect(window?.text.split('\n!\n') ?? []).toEqual(expected);
          expect(2 * work.pairsWalked).toBeLessThanOrEqual(expected.length);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('56,000 names that can be no piece beside one that can: 56,000 pairs walked, not 1.5 billion', () => {
    const letters = (k: number) =>
      [...k.toString(26).padStart(4, '0')].map((c) => 'abcdefghijklmnopqrstuvwxyz'[parseInt(c, 26)]);
    const names = Array.from({ length: 56_000 }, (_, k) => name(letters(k).join(''), k));
    const work = { pairsWalked: 0 };
    nameSetWindows([...names, { path: 'messages[0].name', text: 'x1' }], work);
    expect(work.pairsWalked).toBe(56_000);
  });
});
