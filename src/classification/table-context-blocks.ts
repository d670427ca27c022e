// The line tables of a text (table-context.ts): blocks of consecutive lines holding the same number (one or more) of
// one delimiter (`,`, tab, `;`, a bar: `|` or box drawing's `│` `┃` `║`, outside double quotes; `&` on a LaTeX tabular's
// row, a line ending in `\\`, its `\hline` a border), or with two gaps
// of two or more spaces between words (ALIGNED: read by position). A grid's border line (only rules `-` `=` and box
// drawing's horizontals, joints `+` `|` and box drawing's corners and crossings, `:` and blanks: `---+---`, `+---+`,
// `| --- |`, `├───┼───┤`) neither ends nor starts a block; one blank line inside a tab, bar or aligned block (a report
// writer's under its header, rows double-spaced) does not end it, nor one under a CSV's header of three columns or more;
// an escaped `\|` (GitHub's literal bar in a Markdown cell) is no delimiter. A block of three columns or more passes one
// row unlike the others (a cell short or one more, an inch mark's `"`, a quoted cell's line break), up to MAX_ODD in a
// row, when a row like the others follows them. Rules apart by blanks (reStructuredText's `=====  ====`) are a border. A pg_dump COPY block's header is the COPY line's
// column list. Invariant: one pass over the text's lines, each character read once (a line past MAX_LINE only searched
// for its end), hasGaps' at most once more.
import { MAX_LINE } from './table-context-cells.ts';

/** Columns counted on a line: a line with more delimiters is no table row (nor header). */
export const MAX_COLUMNS = 256;

/** The delimiters, as UTF-16 units (a box-drawn bar counts as `|`). */
const DELIMITERS = [0x2c, 0x09, 0x3b, 0x7c, 0x26] as const;
const QUOTE = 0x22;

/** A block of lines read by position (ALIGNED): its cells are under the header words over their columns. */
export const ALIGNED = 0x20;

/** Blocks of these delimiters (tab, bar, ALIGNED) go on past one blank line; a comma's or semicolon's (prose) do not. */
const SPACED = [false, true, false, true, false, true] as const;

/** A LaTeX tabular's rule line (`\hline`, booktabs' `\toprule` `\midrule` `\bottomrule`, `\cline{2-3}`): a border. */
const LATEX_RULE = /^\\(?:hline|toprule|midrule|bottomrule|cline\{[^}]{0,16}\})\s*$/;

/**
 * One table: its header [headerStart, headerEnd) in headerDelimiter and its rows [rowsStart, rowsEnd) in delimiter
 * (ALIGNED: by position).
 */
export interface Block {
  delimiter: number;
  headerDelimiter: number;
  headerStart: number;
  headerEnd: number;
  rowsStart: number;
  rowsEnd: number;
}

/** pg_dump's `COPY table (columns) FROM stdin;`: its column list is the header of the tab-separated rows after it. */
const COPY_LINE = /^COPY\s[^(]*\(([^)]*)\)\s*FROM\s+stdin/i;

/** Box drawing's vertical bars (light, heavy, dashed, double: │ ┃ ┆ ┇ ┊ ┋ ╎ ╏ ║): a grid's cell delimiter, read as `|`. */
const BOX_BARS = new Set([0x2502, 0x2503, 0x2506, 0x2507, 0x250a, 0x250b, 0x254e, 0x254f, 0x2551]);

function isBoxBar(unit: number): boolean {
  return unit >= 0x2500 && unit <= 0x257f && BOX_BARS.has(unit);
}

/** Box drawing's horizontal lines (light, heavy, dashed, double: ─ ━ ┄ ┅ ┈ ┉ ╌ ╍ ═): a border line's rule. */
const BOX_RULES = new Set([0x2500, 0x2501, 0x2504, 0x2505, 0x2508, 0x2509, 0x254c, 0x254d, 0x2550]);

/** The delimiter the unit at `i` of `text` is (DELIMITERS' unit; a box-drawn bar is `|`, an escaped `\|` none), or -1. */
export function delimiterAt(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if (unit === 0x7c || unit === 0x26) return text.charCodeAt(i - 1) === 0x5c ? -1 : unit;
  if (unit === 0x2c || unit === 0x09 || unit === 0x3b) return unit;
  return isBoxBar(unit) ? 0x7c : -1;
}

/**
 * Whether the line [start, end) of `text` has two gaps of two or more spaces between its words (three columns: a
 * line of prose with two spaces after a sentence has one).
 */
function hasGaps(text: string, start: number, end: number): boolean {
  let gaps = 0;
  let seen = false;
  for (let i = start; i < end - 2; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit !== 0x20) seen ||= unit !== 0x09 && unit !== 0x0d;
    else if (seen && text.charCodeAt(i + 1) === 0x20) {
      let k = i + 2;
      while (k < end && text.charCodeAt(k) === 0x20) k += 1;
      if (k < end && text.charCodeAt(k) !== 0x0d && ++gaps === 2) return true;
      i = k - 1;
    }
  }
  return false;
}

/** Whether the rule line [start, end) (only rules and blanks) has a blank between two rules. */
function spacedRules(text: string, start: number, end: number): boolean {
  let first = start;
  while (first < end && text.charCodeAt(first) <= 0x20) first += 1;
  let last = end;
  while (last > first && text.charCodeAt(last - 1) <= 0x20) last -= 1;
  for (let i = first; i < last; i += 1) if (text.charCodeAt(i) === 0x20) return true;
  return false;
}

/** Rows unlike the others a block passes in a row (short rows of people whose SSN is not yet known). */
const MAX_ODD = 4;

/** Whether the last line countLine read ends inside double quotes (a quoted cell's line break, or an inch mark). */
let lineEndsQuoted = false;

/** What a line is: a border (a grid's rule), blank, or counted (`counts`: each delimiter's, then ALIGNED's 0 or 1). */
type LineKind = 'border' | 'blank' | 'counted';

/**
 * Counts the delimiters of the line [start, end) into `counts` (DELIMITERS' order, then ALIGNED) and into `raw` those
 * inside double quotes too (an inch mark's `"` opens no quoted cell).
 */
function countLine(text: string, start: number, end: number, counts: number[], raw: number[]): LineKind {
  counts.fill(0);
  raw.fill(0);
  if (end - start > MAX_LINE) return 'counted';
  let quoted = false;
  let rules = 0;
  let joints = 0;
  let other = false;
  for (let i = start; i < end; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit === 0x2d || unit === 0x3d) rules += 1;
    else if (unit === 0x2b || unit === 0x7c) joints += 1;
    else if (unit >= 0x2500 && unit <= 0x257f) {
      if (BOX_RULES.has(unit)) rules += 1;
      else joints += 1;
    } else if (unit !== 0x3a && unit !== 0x20 && unit !== 0x09 && unit !== 0x0d) other = true;
    if (unit === QUOTE) quoted = !quoted;
    else if (!((unit === 0x7c || unit === 0x26) && text.charCodeAt(i - 1) === 0x5c)) {
      const d =
        unit === 0x2c
          ? 0
          : unit === 0x09
            ? 1
            : unit === 0x3b
              ? 2
              : unit === 0x7c || isBoxBar(unit)
                ? 3
                : unit === 0x26
                  ? 4
                  : -1;
      if (d >= 0) {
        raw[d] = (raw[d] as number) + 1;
        if (!quoted) counts[d] = (counts[d] as number) + 1;
      }
    }
  }
  lineEndsQuoted = quoted;
  // A rule with a joint, or rules apart by blanks (reStructuredText's and pandoc's simple tables: `=====  ====`).
  if (!other && rules >= 3 && (joints >= 1 || spacedRules(text, start, end))) return 'border';
  if (counts[4] !== 0 || text.charCodeAt(start) === 0x5c) {
    // `&` delimits a LaTeX tabular's row, a line ending in `\\`; its rule lines are borders.
    let last = end;
    while (last > start && text.charCodeAt(last - 1) <= 0x20) last -= 1;
    if (text.charCodeAt(start) === 0x5c && LATEX_RULE.test(text.slice(start, last))) return 'border';
    if (!(text.charCodeAt(last - 1) === 0x5c && text.charCodeAt(last - 2) === 0x5c)) counts[4] = raw[4] = 0;
  }
  if (!other && rules === 0 && joints === 0) return 'blank';
  counts[5] = hasGaps(text, start, end) ? 1 : 0;
  return 'counted';
}

/** The blocks of `text`, per delimiter (DELIMITERS' order, then ALIGNED) in order of their rows' start, apart. */
export function blocksOf(text: string): Block[][] {
  const blocks: Block[][] = [...DELIMITERS, ALIGNED].map(() => []);
  const runs = [...DELIMITERS, ALIGNED].map((delimiter) => ({
    delimiter,
    count: 0,
    headerDelimiter: delimiter,
    headerStart: 0,
    headerEnd: 0,
    rowsStart: 0,
    rowsEnd: -1,
    odd: 0, // lines unlike the others being passed (a row's quoted cell's line break is two)
    oddStart: 0,
    oddEnd: 0,
    oddCount: 0,
    oddRaw: 0,
  }));
  const counts = [0, 0, 0, 0, 0, 0];
  const raw = [0, 0, 0, 0, 0, 0];
  const close = (run: (typeof runs)[number], at: number) => {
    if (run.count > 0 && run.rowsEnd > run.headerEnd) {
      const { delimiter, headerDelimiter, headerStart, headerEnd, rowsStart, rowsEnd } = run;
      (blocks[at] as Block[]).push({ delimiter, headerDelimiter, headerStart, headerEnd, rowsStart, rowsEnd });
    }
    run.count = 0;
    run.odd = 0;
  };
  /**
   * Whether a delimited run of three columns or more passes the line [start, end) as a row unlike the others (a row
   * short of a cell or with one more, an inch mark's `"`, a quoted cell's line break: the two lines' cells adding up),
   * up to MAX_ODD lines in a row, waiting for a row like the others.
   */
  const passesOdd = (run: (typeof runs)[number], d: number, start: number, end: number) => {
    if (d > 3 || run.count < 2) return false;
    const [count, all] = [counts[d] as number, raw[d] as number];
    const near = Math.abs(count - run.count) <= 1 || all === run.count || lineEndsQuoted;
    if (run.odd >= MAX_ODD || !(near || (run.odd > 0 && run.oddRaw + all === run.count))) return false;
    if (run.odd === 0) Object.assign(run, { oddStart: start, oddEnd: end, oddCount: count });
    run.odd += 1;
    run.oddRaw = all;
    return true;
  };
  let copyNext = -1; // the line after a COPY line: its tab-separated block's header is that line's column list
  let copyStart = 0;
  let copyEnd = 0;
  let blanks = 0; // blank lines right before this one
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const kind = countLine(text, start, end, counts, raw);
    if (kind === 'border') {
      start = end + 1; // a grid's rule: the block goes on past it
      continue;
    }
    if (kind === 'blank') {
      blanks += 1;
      runs.forEach((run, d) => {
        // A comma's or semicolon's block only right under a header of three columns or more (a CSV's, not prose's).
        if (blanks > 1 || !(SPACED[d] || (run.rowsEnd < 0 && run.count >= 2))) close(run, d);
      });
      start = end + 1;
      continue;
    }
    blanks = 0;
    for (let d = 0; d < runs.length; d += 1) {
      const run = runs[d] as (typeof runs)[number];
      const count = counts[d] as number;
      const usable = count >= 1 && count <= MAX_COLUMNS;
      if (usable && count === run.count) {
        run.rowsEnd = end;
        run.odd = 0;
        continue;
      }
      if (passesOdd(run, d, start, end)) continue;
      // A line unlike the one passed too: the block ends before it, and a new one may open at the line passed.
      const odd = run.odd === 1 ? { start: run.oddStart, end: run.oddEnd, count: run.oddCount } : undefined;
      close(run, d);
      if (odd !== undefined && odd.count >= 1 && odd.count <= MAX_COLUMNS) {
        const header = { headerDelimiter: run.delimiter, headerStart: odd.start, headerEnd: odd.end };
        Object.assign(run, { count: odd.count, ...header, rowsStart: odd.end + 1, rowsEnd: -1 });
        if (usable && count === odd.count) {
          run.rowsEnd = end;
          continue;
        }
        close(run, d);
      }
      if (!usable) continue;
      const header = { headerDelimiter: run.delimiter, headerStart: start, headerEnd: end };
      Object.assign(run, { count, ...header, rowsStart: end + 1, rowsEnd: -1 });
      if (d === 1 && start === copyNext) {
        // The first row of a COPY block: the header is the COPY line's column list.
        Object.assign(run, { headerDelimiter: 0x2c, headerStart: copyStart, headerEnd: copyEnd });
        Object.assign(run, { rowsStart: start, rowsEnd: end });
      }
    }
    if (text.charCodeAt(start) === 0x43 && end - start <= MAX_LINE) {
      const copy = COPY_LINE.exec(text.slice(start, end));
      if (copy !== null) {
        copyStart = start + copy[0].indexOf('(') + 1;
        copyEnd = copyStart + (copy[1] as string).length;
        copyNext = end + 1;
      }
    }
    start = end + 1;
  }
  runs.forEach(close);
  return blocks;
}
