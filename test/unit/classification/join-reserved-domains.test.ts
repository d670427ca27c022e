// A documentation address (`.example`, `.test`, `.invalid`) in a JSON object is no finding, pretty-printed or not: the
// join readings glued the next member onto its top-level domain (`jane.doe@mail.examplerole`) and reported the address
// and the neighbour (join-reserved-domains.ts). Controls: a split whose own part of the domain is no reserved one.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const emails = (text: string) =>
  classifier
    .classify([{ path: 'messages[0].content', text }])
    .findings.filter((f) => f.type === 'EMAIL')
    .map((f) => text.slice(f.start, f.end));
const member = { id: 'u-17', email: 'jane.doe@mail.example', role: 'admin', team: { lead: 'bob@corp.test', size: 4 } };

describe('a documentation address glued to the next member of a JSON text', () => {
  it.each([
    ['indented', JSON.stringify(member, null, 2)],
    ['tab-indented', JSON.stringify(member, null, '\t')],
    ['compact', JSON.stringify(member)],
    ['in an array', '["jane.doe@mail.test", "role"]'],
    ['before a short value', '{\n  "email": "a.b@x.invalid",\n  "n": "Bo"\n}'],
    ['upper-case', '{"email": "JANE@MAIL.EXAMPLE", "role": "x"}'],
  ])('%s: no EMAIL', (_name, text) => {
    expect(emails(text)).toEqual([]);
  });

  it.each([
    ['a real address', '{"email": "jane.doe@mail.com", "role": "admin"}', ['jane.doe@mail.com']],
    ['a top-level domain split', '{"a": "jane.doe@mail.c", "b": "om"}', ['jane.doe@mail.c', 'b', 'om']],
    ['example.com then letters', '{"a": "jane@example.com", "b": "pany"}', ['jane@example.com', 'b', 'pany']],
    ['a reserved label then a domain', '{"a": "jane@mail.test", "b": "er.org"}', ['jane@mail.test', 'er.org']],
  ])('control: %s is read across the members', (_name, text, found) => {
    expect(emails(text)).toEqual(found);
  });
});
