// Writes texts back into a JSON body at segment paths (`messages[1].content[0].text`), the inverse of how adapters
// name segments. Invariants: the input body is never mutated (a deep copy is returned); a path that does not lead to
// a string in the body throws (an adapter/pipeline bug, which the pipeline turns into a denial, never a pass).

type Step = string | number;

export function parseSegmentPath(path: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '[') {
      const close = path.indexOf(']', i);
      const index = Number(path.slice(i + 1, close));
      if (close < 0 || !Number.isSafeInteger(index) || index < 0 || path.slice(i + 1, close) === '')
        throw new Error(`bad segment path ${path}`);
      steps.push(index);
      i = close + 1;
    } else {
      if (path[i] === '.') i += 1;
      let end = i;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end += 1;
      if (end === i) throw new Error(`bad segment path ${path}`);
      steps.push(path.slice(i, end));
      i = end;
    }
  }
  return steps;
}

/** A copy of `body` with the string at each edit's path replaced by the edit's text. */
export function replaceSegmentTexts(
  body: Record<string, unknown>,
  edits: readonly { path: string; text: string }[],
): Record<string, unknown> {
  const copy = structuredClone(body);
  for (const edit of edits) {
    const steps = parseSegmentPath(edit.path);
    let node: unknown = copy;
    for (const step of steps.slice(0, -1)) {
      node =
        typeof step === 'number'
          ? Array.isArray(node)
            ? node[step]
            : undefined
          : typeof node === 'object' && node !== null && !Array.isArray(node)
            ? (node as Record<string, unknown>)[step]
            : undefined;
    }
    const last = steps[steps.length - 1];
    const holder = node as Record<string | number, unknown> | null;
    if (last === undefined || typeof holder !== 'object' || holder === null || typeof holder[last] !== 'string') {
      throw new Error(`segment path ${edit.path} does not name a string in the body`);
    }
    holder[last] = edit.text;
  }
  return copy;
}
