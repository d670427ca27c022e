// The segments the request walk makes of a parsed JSON value (providers/shape-walk.ts walkJson): each object's key
// list, every string and every number, one segment each with its path; for tests of the readings of parsed values.
import type { TextSegment } from '../../../src/classification/types.ts';

export function segmentsOf(value: unknown, path = 'input', out: TextSegment[] = []): TextSegment[] {
  if (typeof value === 'string' || typeof value === 'number') out.push({ path, text: String(value), location: 'user' });
  else if (Array.isArray(value)) value.forEach((item, i) => segmentsOf(item, `${path}[${i}]`, out));
  else if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.length > 0) out.push({ path, text: keys.join('\n'), location: 'user' });
    for (const key of keys) segmentsOf((value as Record<string, unknown>)[key], `${path}.${key}`, out);
  }
  return out;
}
