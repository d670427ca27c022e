// report.html: a self-contained, human-readable summary of an evidence packet for people who do not read JSON.
// No scripts, no network, no external fonts (a Content-Security-Policy forbids them); charts are inline SVG.
// Every value from a record is attacker-influenced (model names, reasons, subjects) and goes through escapeHtml.
import type { JsonValue } from '../ledger/index.ts';
import type { VerifyFinding } from '../verify/index.ts';
import type { PacketManifest } from './packet.ts';
import { asObject } from './select.ts';

export interface ReportVerdict {
  /** pinned: keys given out of band (--trust); database: the exporting database's own keys (a self-check only). */
  keySource: 'pinned' | 'database';
  trustedKids: string[];
  findings: VerifyFinding[];
}

export interface ReportInput {
  manifest: Omit<PacketManifest, 'files'>;
  records: Record<string, JsonValue>[];
  verdict: ReportVerdict;
  packetName: string;
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function verdictLabel(v: ReportVerdict): 'FAILED' | 'VERIFIED' | 'SELF-CHECK PASSED' | 'INCONCLUSIVE' {
  if (v.findings.some((f) => f.severity === 'error')) return 'FAILED';
  if (v.findings.some((f) => f.code === 'VERIFY_NO_TRUSTED_KEY' || f.code === 'VERIFY_NO_RECORDS'))
    return 'INCONCLUSIVE';
  return v.keySource === 'pinned' ? 'VERIFIED' : 'SELF-CHECK PASSED';
}

export function renderReport(input: ReportInput): string {
  const { manifest: m, records, verdict } = input;
  const c = m.counts;
  const decisions = records.filter((r) => r.type === 'decision');
  const label = verdictLabel(verdict);
  const errors = verdict.findings.filter((f) => f.severity === 'error');
  const first =
    m.chains
      .map((ch) => ch.first_ts)
      .filter((t): t is string => t !== null)
      .sort()[0] ?? '—';
  const last =
    m.chains
      .map((ch) => ch.last_ts)
      .filter((t): t is string => t !== null)
      .sort()
      .at(-1) ?? '—';
  const e = escapeHtml;
  const card = (id: string, title: string, n: number) =>
    `<div class="card"><div class="n" id="${id}">${n}</div><div>${e(title)}</div></div>`;
  const verdictText = {
    VERIFIED:
      'Every record in this packet is signed by a trusted ledger key and proven to be part of a signed checkpoint of ' +
      'its chain.',
    'SELF-CHECK PASSED':
      'The packet is internally consistent, checked against the keys registered in the exporting database. That is ' +
      'not independent proof: re-verify it with the ledger key you were given out of band (below).',
    INCONCLUSIVE: 'Nothing could be proven: no trusted key was available, or the packet holds no records.',
    FAILED: 'The packet does NOT match what the ledger signed. Do not rely on it; see the findings below.',
  }[label];
  const verdictClass = label === 'FAILED' ? 'bad' : label === 'VERIFIED' ? 'ok' : 'unk';
  const keysChecked =
    verdict.keySource === 'pinned' ? 'keys pinned by the exporter' : 'the keys registered in the exporting database';
  const kids = verdict.trustedKids.map((k) => `<code>${e(k)}</code>`).join(', ') || 'none';
  const warnings = verdict.findings.length - errors.length;
  const findingRow = (f: VerifyFinding) =>
    `<tr><td><code>${e(f.code)}</code></td><td>${e(f.chain)}${f.seq === null ? '' : ` seq ${f.seq}`}</td>` +
    `<td>${e(f.message)}</td></tr>`;
  const findings =
    verdict.findings.length > 0
      ? `<table><tr><th>code</th><th>where</th><th>why</th></tr>${verdict.findings.map(findingRow).join('')}</table>`
      : '';
  const selectedBy =
    m.selection === undefined
      ? ''
      : `<tr><th>Selected by</th><td id="selected-by">the signed record content, after every record of ` +
        `${m.selection.scanned.length} chain(s) (${m.selection.scanned.reduce((n, s) => n + s.records, 0)} records) ` +
        `was checked against its stored columns</td></tr>`;
  const chains = m.chains
    .map((ch) => `<code>${e(ch.chain)}</code> (${ch.records} records, checkpoint of ${ch.checkpoint_size})`)
    .join('<br>');
  const excluded =
    c.excluded_uncheckpointed > 0
      ? `<p>${c.excluded_uncheckpointed} matching record(s) were newer than the latest signed checkpoint and are not ` +
        `included.</p>`
      : '';
  const pins = verdict.trustedKids.map((k) => ` --trust ${e(k)}`).join('');

  // A backslash at a line's end inside the template continues the line: the HTML is as if written on one line.
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Proctor evidence report</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;\
color:#1b1f24}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;width:100%}\
td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}
.cards{display:flex;flex-wrap:wrap;gap:.75rem}\
.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;min-width:7rem}
.n{font-size:1.6rem;font-weight:600}.verdict{padding:1rem;border-radius:6px;font-weight:600}
.ok{background:#dafbe1}.bad{background:#ffebe9}.unk{background:#fff8c5}\
code,pre{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px;overflow-wrap:anywhere}
pre{padding:.75rem;white-space:pre-wrap}svg text{font:12px system-ui,sans-serif}
</style></head><body>
<h1>Proctor evidence report</h1>
<p>This report summarises the audit records in the evidence packet <code>${e(input.packetName)}</code>: \
who sent requests to which AI
models, what kind of data they contained, which policy decided, and what it decided.</p>

<h2>Verification verdict</h2>
<div class="verdict ${verdictClass}"><span id="verdict">${label}</span>: ${e(verdictText)}</div>
<p>Checked when the packet was exported, against ${keysChecked}:
${kids}. ${errors.length} error(s), ${warnings} warning(s).</p>
${findings}

<h2>Summary</h2>
<table>
<tr><th>Exported by</th><td id="exported-by">${e(m.exported_by)}</td></tr>
<tr><th>Exported at</th><td>${e(m.exported_at)}</td></tr>
<tr><th>Exporter key</th><td><code>${e(m.exporter.kid)}</code></td></tr>
<tr><th>Selection</th><td>${describeQuery(m.query)}</td></tr>
${selectedBy}
<tr><th>Records from</th><td>${e(first)} to ${e(last)}</td></tr>
<tr><th>Ledger chains</th><td>${chains}</td></tr>
</table>
<div class="cards">
${card('count-records', 'records', c.records)}
${card('count-decisions', 'decisions', c.decisions)}
${card('count-allowed', 'allowed', c.allowed)}
${card('count-denied', 'denied', c.denied)}
${card('count-redacted', 'allowed after redaction', c.redacted)}
${card('count-outcomes', 'completed requests (outcomes)', c.outcomes)}
</div>
${excluded}

<h2>Decisions over time</h2>
${timeChart(decisions)}

<h2>Sensitive data found, by category</h2>
${categoryChart(decisions)}

<h2>Top denial reasons</h2>
${denialTable(decisions)}

<h2>Models requested</h2>
${modelTable(decisions)}

<h2>How to re-verify</h2>
<p>Anyone can check this packet without database or network access. The command below pins the ledger and exporter
keys by fingerprint: first check that these fingerprints are the ones you were given by a source you trust (not this
report), or pass those key files instead \
(<code>--trust ledger-keyring.json --trust-exporter exporter.pub.pem</code>):</p>
<pre id="reverify">proctor verify ${e(input.packetName)}${pins} --trust-exporter ${e(m.exporter.kid)}</pre>
<p>Exit status 0 means verified, 1 means the packet or a record was altered, 3 means nothing could be proven.
To re-run the recorded policy decisions: \
<code>proctor replay ${e(input.packetName)} --bundles &lt;dir of policy bundles&gt;</code>.</p>
<h2>What this packet discloses</h2>
<p>The selected records (identities, models, data categories, decisions — never prompt text or the sensitive values
themselves), Merkle proofs that tie them to signed checkpoints (hashes only: other people's records are not disclosed),
the checkpoints, the public keys, and each exported chain's key rotation records (key material only, no personal
data), which let a verifier that pins an earlier key follow the rotations.</p>
</body></html>
`;
}

function describeQuery(q: ReportInput['manifest']['query']): string {
  const parts: string[] = [];
  const list = (name: string, values: string[]) => {
    if (values.length > 0) parts.push(`${name}: ${values.map((v) => `<code>${escapeHtml(v)}</code>`).join(', ')}`);
  };
  list('subject', q.subjects);
  list('group', q.groups);
  list('tenant', q.tenants);
  list('client', q.clients);
  list('request', q.request_ids);
  list('policy version', q.policy_versions);
  list('record type', q.types);
  if (q.from !== null) parts.push(`from ${escapeHtml(q.from)}`);
  if (q.to !== null) parts.push(`until ${escapeHtml(q.to)}`);
  if (q.decision !== null) parts.push(`decision: ${escapeHtml(q.decision)}`);
  if (q.until_checkpoint) parts.push('only records covered by the latest checkpoint');
  return parts.join('; ') || 'all records';
}

const UNITS: readonly [number, string][] = [
  [60_000, 'minute'],
  [300_000, '5 minutes'],
  [900_000, '15 minutes'],
  [3_600_000, 'hour'],
  [21_600_000, '6 hours'],
  [86_400_000, 'day'],
  [604_800_000, 'week'],
  [2_592_000_000, '30 days'],
];

function timeChart(decisions: Record<string, JsonValue>[]): string {
  const times = decisions.map((d) => Date.parse(String(d.ts))).filter((t) => !Number.isNaN(t));
  if (times.length === 0) return '<p>No decisions.</p>';
  const min = Math.min(...times);
  const max = Math.max(...times);
  // The finest unit that shows the span in at most 48 bars.
  const [unit, unitName] =
    UNITS.find(([u]) => Math.floor(max / u) - Math.floor(min / u) < 48) ??
    (UNITS[UNITS.length - 1] as [number, string]);
  const start = Math.floor(min / unit) * unit;
  const n = Math.floor((max - start) / unit) + 1;
  const buckets = Array.from({ length: n }, () => ({ allow: 0, deny: 0 }));
  for (const t of times.keys()) {
    const d = decisions[t] as Record<string, JsonValue>;
    const b = buckets[Math.floor(((times[t] as number) - start) / unit)] as { allow: number; deny: number };
    if (asObject(d.decision)?.allow === true) b.allow++;
    else b.deny++;
  }
  const peak = Math.max(...buckets.map((b) => b.allow + b.deny), 1);
  const w = 720;
  const h = 180;
  const step = w / Math.max(n, 12);
  const bw = Math.max(step - 2, 1);
  const label = (t: number) =>
    new Date(t)
      .toISOString()
      .slice(0, unit < 86_400_000 ? 16 : 10)
      .replace('T', ' ');
  const bars = buckets.map((b, i) => {
    const ah = (b.allow / peak) * h;
    const dh = (b.deny / peak) * h;
    const x = (i * step).toFixed(1);
    return (
      `<g><title>${escapeHtml(label(start + i * unit))}: ${b.allow} allowed, ${b.deny} denied</title>` +
      `<rect x="${x}" y="${(h - ah - dh).toFixed(1)}" width="${bw.toFixed(1)}" height="${dh.toFixed(1)}" ` +
      `fill="#cf222e"/>` +
      `<rect x="${x}" y="${(h - ah).toFixed(1)}" width="${bw.toFixed(1)}" height="${ah.toFixed(1)}" ` +
      `fill="#1a7f37"/></g>`
    );
  });
  return `<svg role="img" aria-label="decisions over time" viewBox="0 0 ${w} ${h + 40}" width="100%">
${bars.join('\n')}
<line x1="0" y1="${h}" x2="${w}" y2="${h}" stroke="#57606a"/>
<text x="0" y="${h + 16}">${escapeHtml(label(start))} UTC</text>\
<text x="${(n * step).toFixed(1)}" y="${h + 16}" text-anchor="end">${escapeHtml(label(start + n * unit))} UTC</text>
<text x="0" y="${h + 34}" fill="#1a7f37">■ allowed</text><text x="80" y="${h + 34}" fill="#cf222e">■ denied</text>\
<text x="${w}" y="${h + 34}" text-anchor="end">one bar per ${unitName}; tallest ${peak}</text>
</svg>`;
}

function categoryChart(decisions: Record<string, JsonValue>[]): string {
  const counts = new Map<string, number>();
  for (const d of decisions) {
    const findings = asObject(d.classification)?.findings;
    if (!Array.isArray(findings)) continue;
    for (const f of findings) {
      const category = asObject(f)?.category;
      if (typeof category === 'string') counts.set(category, (counts.get(category) ?? 0) + 1);
    }
  }
  if (counts.size === 0) return '<p>No sensitive data was found in the selected requests.</p>';
  const rows = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
  const peak = Math.max(...rows.map(([, n]) => n));
  const bar = 22;
  const body = rows.map(([name, n], i) => {
    const y = i * bar;
    const len = (n / peak) * 480;
    return (
      `<text x="0" y="${y + 15}">${escapeHtml(name)}</text>` +
      `<rect x="140" y="${y + 3}" width="${len.toFixed(1)}" height="${bar - 6}" fill="#0969da"/>` +
      `<text x="${(146 + len).toFixed(1)}" y="${y + 15}">${n}</text>`
    );
  });
  const viewBox = `0 0 720 ${rows.length * bar}`;
  return `<svg role="img" aria-label="findings by category" viewBox="${viewBox}" width="100%">${body.join('')}</svg>`;
}

function denialTable(decisions: Record<string, JsonValue>[]): string {
  const counts = new Map<string, { n: number; message: string }>();
  for (const d of decisions) {
    const decision = asObject(d.decision);
    if (decision?.allow !== false || !Array.isArray(decision.reasons)) continue;
    for (const r of decision.reasons) {
      const reason = asObject(r);
      const code = typeof reason?.code === 'string' ? reason.code : '(no code)';
      const seen = counts.get(code) ?? { n: 0, message: typeof reason?.message === 'string' ? reason.message : '' };
      seen.n++;
      counts.set(code, seen);
    }
  }
  if (counts.size === 0) return '<p>No request was denied.</p>';
  const rows = [...counts].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1)).slice(0, 15);
  return `<table id="denial-reasons"><tr><th>reason</th><th>denials</th><th>example explanation</th></tr>${rows
    .map(
      ([code, { n, message }]) =>
        `<tr><td><code>${escapeHtml(code)}</code></td><td>${n}</td><td>${escapeHtml(message)}</td></tr>`,
    )
    .join('')}</table>`;
}

function modelTable(decisions: Record<string, JsonValue>[]): string {
  const counts = new Map<string, number>();
  for (const d of decisions) {
    const request = asObject(d.request);
    const model = request?.model;
    const api = request?.api;
    // Tool calls (docs/mcp.md) stand beside model calls: server/tool, named by their MCP method.
    const mcp = typeof api === 'string' && api.startsWith('mcp.') ? ` (MCP ${api.slice(4)})` : '';
    const name = typeof model === 'string' ? `${model}${mcp}` : '(not parsed)';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  if (counts.size === 0) return '<p>No decisions.</p>';
  const rows = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 15);
  const row = ([m, n]: [string, number]) => `<tr><td><code>${escapeHtml(m)}</code></td><td>${n}</td></tr>`;
  return `<table><tr><th>model or MCP tool</th><th>requests</th></tr>${rows.map(row).join('')}</table>`;
}
