// Shared by the round 13 attack files (round13-*.test.ts but round13-ops*, session 15): an HR table whose `ssn` column
// names its bare nine-digit values once, in the header (round 12's rows), and the places a table reaches the model or
// the client: a user message, tool results (a query's pages); round9-helpers' isStreamed streams an answer.
import { prompt } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

const PEOPLE = [
  ['John Smith', '219099999'],
  ['Maria Garcia', '536221234'],
  ['Wei Chen', '409524567'],
  ['Aisha Khan', '293018765'],
] as const;
export const COLUMNS = ['id', 'name', 'email', 'department', 'start_date', 'salary', 'ssn'];
/** Each person's row: id, name, e-mail, department, start date, salary, the bare SSN. */
export const ROWS = PEOPLE.map(([name, ssn], i) => [
  String(i + 1),
  name,
  `${name.split(' ')[0]?.toLowerCase()}@acme.example`,
  'Engineering',
  `2021-0${i + 1}-15`,
  '98000',
  ssn,
]);
/** The second person's SSN: only its own cell holds it, a row below the first. */
export const PROBE = '536221234';
/** `rows` as CSV lines. */
export const csvLines = (rows: readonly (readonly string[])[]) => rows.map((r) => r.join(','));

/** Whether the upstream receives `probe` for a chat request whose tool results (one call each) are `results`. */
export async function toolResultsHold(results: readonly string[], probe = PROBE): Promise<boolean> {
  const calls = results.map((_, i) => ({
    id: `c${i}`,
    type: 'function',
    function: { name: 'run_sql', arguments: `{"page":${i}}` },
  }));
  const body = {
    model: 'echo-1',
    messages: [
      { role: 'user', content: 'summarise the employees table' },
      { role: 'assistant', content: null, tool_calls: calls },
      ...results.map((content, i) => ({ role: 'tool', tool_call_id: `c${i}`, content })),
    ],
  };
  return (await forwarded(CHAT, body)).includes(probe);
}

/** Whether the upstream receives `probe` for a chat request of one user message per text. */
export async function messagesHold(texts: readonly string[], probe = PROBE): Promise<boolean> {
  return (await forwarded(CHAT, prompt(...texts))).includes(probe);
}
