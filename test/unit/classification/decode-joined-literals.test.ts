// String literals the language joins, read as the text they join (decode-joined-literals.ts): each form's joined text
// and its characters' spans in the source; lists, objects and code whose quotes only look adjacent join nothing; a run
// is MAX_PIECES pieces at most and the joined texts are never longer than the text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinedLiteralRuns, MAX_PIECES } from '../../../src/classification/decode-joined-literals.ts';

const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';

/** Each run's joined text, and the source characters its mapped spans cover, in order. */
function runs(text: string): { joined: string; source: string }[] {
  const out: { joined: string; source: string }[] = [];
  joinedLiteralRuns(text, (from, _end, decoded) => {
    let source = '';
    for (let k = 0; k < decoded.text.length; k += 1)
      source += text.slice(from + (decoded.starts[k] as number), from + (decoded.ends[k] as number));
    out.push({ joined: decoded.text, source });
  });
  return out;
}

describe('literals the language joins read as their joined text', () => {
  it.each([
    ["C's adjacent literals", `const char *k = "${KEY.slice(0, 10)}" "${KEY.slice(10)}";`],
    ["Go's raw strings and +", `k := \`${KEY.slice(0, 10)}\` +\n    \`${KEY.slice(10)}\``],
    ["Rust's concat!", `concat!("${KEY.slice(0, 6)}", "${KEY.slice(6, 12)}", "${KEY.slice(12)}")`],
    ["Java's String.join", `String.join("", "${KEY.slice(0, 6)}", "${KEY.slice(6)}")`],
    ["printf's arguments after its format", `printf("%s%s\\n", "${KEY.slice(0, 10)}", "${KEY.slice(10)}");`],
    ["a spreadsheet's &", `="${KEY.slice(0, 8)}"&"${KEY.slice(8, 16)}"&"${KEY.slice(16)}"`],
    ["PHP's .", `$k = '${KEY.slice(0, 8)}' . '${KEY.slice(8)}';`],
    ['a shell word of glued quotes', `K=${KEY.slice(0, 8)}'${KEY.slice(8, 16)}'"${KEY.slice(16)}"`],
    ["Python's literals a line apart", `k = (\n    "${KEY.slice(0, 10)}"  # a\n    "${KEY.slice(10)}"\n)`],
    ["a C macro's \\ continuation", `#define K "${KEY.slice(0, 10)}" \\\n  "${KEY.slice(10)}"`],
    ['a join call before a list', `"".join(["${KEY.slice(0, 10)}", "${KEY.slice(10)}"])`],
    ["Go's strings.Join", `strings.Join([]string{\n\t"${KEY.slice(0, 10)}",\n\t"${KEY.slice(10)}",\n}, "")`],
    ['a join call after a list', `['${KEY.slice(0, 10)}', '${KEY.slice(10)}'].join('')`],
    ['interpolations of literals', `\`\${'${KEY.slice(0, 10)}'}\${'${KEY.slice(10)}'}\``],
    ["a builder's appends", `sb.append("${KEY.slice(0, 10)}")\n  .append("${KEY.slice(10)}");`],
    ['a name grown by +=', `k = "${KEY.slice(0, 10)}";\nk += "${KEY.slice(10)}";`],
  ])('%s', (_name, text) => {
    expect(runs(text)).toEqual([{ joined: KEY, source: KEY }]);
  });
});

describe('quotes that join nothing', () => {
  it.each([
    ['a JSON list of strings', JSON.stringify(['AKIAZ3', 'MQWXR5', 'TLPB6Y7N'])],
    ['a JSON object', '{"name":"AKIAZ3MQ","ssn":"WXR5TLPB6Y7N"}'],
    ['a call with a literal inside', "const rows = readFileSync(path, 'utf8').split('\\n');"],
    ['quoted words with spaces', 'She said "to be or" + "not to be", and "that is" "the question".'],
    ['literals apart by a word', '"AKIAZ3MQWX" and "R5TLPB6Y7N"'],
    ['a list no join call takes', 'const parts = ["AKIAZ3MQWX", "R5TLPB6Y7N"].map(f);'],
    ['two names set a line apart', 'a = "AKIAZ3MQWX"\nb = "R5TLPB6Y7N"'],
    ['a chain of calls that append nothing', 'row.get("AKIAZ3MQWX").get("R5TLPB6Y7N")'],
    ['JSON members, one a line', '{\n  "a": "AKIAZ3MQWX",\n  "b": "R5TLPB6Y7N"\n}'],
  ])('%s', (_name, text) => {
    expect(runs(text)).toEqual([]);
  });
});

describe('bounds', () => {
  it('a run joins MAX_PIECES pieces at most; the next starts at its middle piece', () => {
    const pieces = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `p${from + k}`).join('');
    const text = Array.from({ length: 2 * MAX_PIECES + 1 }, (_, k) => `"p${k}"`).join(' + ');
    const half = MAX_PIECES / 2;
    expect(runs(text).map((r) => r.joined)).toEqual([
      pieces(0, MAX_PIECES),
      pieces(half, half + MAX_PIECES),
      pieces(MAX_PIECES, 2 * MAX_PIECES),
      pieces(MAX_PIECES + half, 2 * MAX_PIECES + 1),
    ]);
  });

  it('the joined texts are never longer than the text, and each maps to its own characters', () => {
    const piece = fc.constantFrom(
      ...['"', "'", '`', ' ', '+', ',', '(', ')', '[', ']', '{', '}', '$', ';', '&', '.', '\n', 'AKIA', 'Z3MQ', 'x'],
      ...['\\', '#', '/*', '*/', '.join(', '+=', '.append(', 'k', '='],
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 300 }), (parts) => {
        const text = parts.join('');
        const found = runs(text);
        expect(found.reduce((n, r) => n + r.joined.length, 0)).toBeLessThanOrEqual(text.length);
        for (const r of found) expect(r.source).toBe(r.joined);
      }),
      { numRuns: 300 },
    );
  });
});
