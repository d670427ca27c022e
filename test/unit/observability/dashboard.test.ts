// The starter dashboard (docs/grafana-dashboard.json) shows every metric Proctor registers (src/observability/
// metrics.ts, prom-client's process metrics included) but those docs/observability.md lists as off the dashboard, and
// that list names nothing that is not registered: a metric added to the code and to neither fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/observability/metrics.ts';

const root = new URL('../../../', import.meta.url);
const dashboard = JSON.parse(readFileSync(new URL('docs/grafana-dashboard.json', root), 'utf8')) as {
  panels: { title: string; targets?: { expr: string }[] }[];
};
const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

/** The `- \`name\`` items between the off-dashboard markers; a trailing `*` makes a prefix. */
function offDashboard(): string[] {
  const doc = readFileSync(new URL('docs/observability.md', root), 'utf8');
  const block = /<!-- off-dashboard[^>]*-->([\s\S]*?)<!-- \/off-dashboard -->/.exec(doc)?.[1];
  if (block === undefined) throw new Error('docs/observability.md has no off-dashboard list');
  return [...block.matchAll(/^- `([a-z_*]+)`/gm)].map((m) => m[1] as string);
}

const listed = (name: string, patterns: readonly string[]) =>
  patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));

/** A metric is shown when an expression names it (a histogram by its _bucket, _sum or _count series). */
const shown = (name: string) => exprs.some((e) => new RegExp(`\\b${name}(?:_bucket|_sum|_count)?\\b`).test(e));

function uncovered(names: readonly string[], patterns: readonly string[]): string[] {
  return names.filter((n) => !shown(n) && !listed(n, patterns));
}

describe('the starter dashboard', () => {
  it('shows every registered metric but those docs/observability.md lists as off it', async () => {
    const names = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    const patterns = offDashboard();
    expect(names).toContain('proctor_transport_refusals_total');
    expect(uncovered(names, patterns)).toEqual([]);
    // The panels the write-deadline and transport work added.
    for (const name of [
      'proctor_transport_refusals_total',
      'proctor_client_write_timeouts_total',
      'proctor_unrouted_requests_total',
    ])
      expect(shown(name)).toBe(true);
    // Control: a metric on neither is caught.
    expect(uncovered([...names, 'proctor_made_up_total'], patterns)).toEqual(['proctor_made_up_total']);
  });

  it('lists off the dashboard only what is registered and not shown', async () => {
    const names = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    const patterns = offDashboard();
    expect(patterns.length).toBeGreaterThan(0);
    for (const pattern of patterns) {
      const matched = names.filter((n) => listed(n, [pattern]));
      expect(
        matched.filter((n) => !shown(n)),
        pattern,
      ).not.toEqual([]);
    }
  });
});
