// Detection quality on the committed dev half of the generated set (test/fixtures/quality/dev.jsonl, made by
// scripts/quality.sh dev; docs/classification.md, "How detection quality is measured"). Fails when a change lowers
// any type's F1, exact or overlap, or the overall F1 below the floors recorded here, or reports a type the set holds
// no value of. Raise a floor when a
// change lifts it; never lower one to let a change through. The test half is the bench's alone and is not read here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifierSpans, goldSpans, parseSamples, QUALITY_TYPES, scoreSpans } from '../../bench/quality-score.ts';
import { createClassifier } from '../../src/classification/index.ts';

/**
 * F1 floors per labelled type, exact span and overlap (measured on 2026-12-06 at f8f6696, PERSON_NAME and micro at
 * 7f8ee27; rounded down).
 */
const FLOORS: Record<string, { exact: number; overlap: number }> = {
  CREDIT_CARD: { exact: 1, overlap: 1 },
  // P 1.000 R 0.740: every miss is "It's like that since <date>" (no birth word; reporting dates without one: P 0.726)
  DATE_OF_BIRTH: { exact: 0.85, overlap: 0.85 },
  EMAIL: { exact: 1, overlap: 1 },
  IBAN: { exact: 1, overlap: 1 },
  IP_ADDRESS: { exact: 1, overlap: 1 },
  // P 0.967 R 0.956 (7f8ee27): lone names with nothing about people near them ("Why is Victoria so impulsive?"),
  // kanji with no cue, a given name that is an everyday word with no naming phrase before it ("Guy's daughter")
  PERSON_NAME: { exact: 0.878, overlap: 0.96 },
  PHONE: { exact: 0.974, overlap: 0.974 }, // P 1.000 R 0.950: labelled, possible with +CC; misses have no phone word
  US_SSN: { exact: 0.872, overlap: 0.872 }, // P 0.795 (Dutch BSNs called SSNs) R 0.969
};
/** Micro-averaged F1 by overlap over every labelled type. */
const MICRO_F1_FLOOR = 0.971;
/** Findings of types the set has no value of (passport, NHS, routing, secrets…): all false alarms. */
const STRAY_FINDINGS_CEILING = 0;

/** Labels the generator writes for values Proctor has no type for (scored by no one). */
const WITHOUT_COUNTERPART = [
  'AGE',
  'DATE_TIME',
  'DOMAIN_NAME',
  'GPE',
  'NATIONAL_ID',
  'NRP',
  'ORGANIZATION',
  'STREET_ADDRESS',
  'TITLE',
  'US_DRIVER_LICENSE',
  'ZIP_CODE',
];

describe('detection quality on the dev half of the generated set', () => {
  const samples = parseSamples(readFileSync(new URL('../fixtures/quality/dev.jsonl', import.meta.url), 'utf8'));
  const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(3) });
  const report = scoreSpans(goldSpans(samples), classifierSpans(classifier, samples), new Set(QUALITY_TYPES));

  it('prints the table, in which every labelled type has gold values and the micro row sums the rows', () => {
    const row = (t: string, s: (typeof report.types)[string]) =>
      `| ${t} | ${s.exact.gold} | ${s.exact.predicted} | ${s.exact.f1.toFixed(3)} | ` +
      `${s.overlap.precision.toFixed(3)} | ${s.overlap.recall.toFixed(3)} | ${s.overlap.f1.toFixed(3)} |`;
    console.log(
      [
        '| type | gold | found | exact F1 | overlap P | overlap R | overlap F1 |',
        '|---|---|---|---|---|---|---|',
        ...Object.entries(report.types).map(([t, s]) => row(t, s)),
        row('**micro**', report.micro),
      ].join('\n'),
    );
    for (const type of QUALITY_TYPES) expect(report.types[type]?.exact.gold ?? 0, type).toBeGreaterThan(0);
    const sum = (mode: 'exact' | 'overlap', k: 'gold' | 'predicted' | 'matched') =>
      Object.values(report.types).reduce((n, s) => n + s[mode][k], 0);
    for (const mode of ['exact', 'overlap'] as const) {
      const { gold, predicted, matched } = report.micro[mode];
      expect({ gold, predicted, matched }, mode).toEqual({
        gold: sum(mode, 'gold'),
        predicted: sum(mode, 'predicted'),
        matched: sum(mode, 'matched'),
      });
    }
  });

  it('holds the set the floors were measured on: 2,000 samples, every label mapped or known to have no type', () => {
    expect(samples).toHaveLength(2000);
    const labels = new Set(samples.flatMap((s) => s.spans.map((g) => g.type)));
    for (const label of labels) expect([...QUALITY_TYPES, ...WITHOUT_COUNTERPART]).toContain(label);
    for (const type of QUALITY_TYPES) expect(labels).toContain(type);
  });

  it('keeps every labelled type at or above its F1 floor, exact and overlap', () => {
    for (const type of QUALITY_TYPES) {
      const s = report.types[type];
      const floor = FLOORS[type];
      expect(floor, type).toBeDefined();
      expect(s?.exact.f1 ?? 0, `${type} exact F1`).toBeGreaterThanOrEqual(floor?.exact ?? 1);
      expect(s?.overlap.f1 ?? 0, `${type} overlap F1`).toBeGreaterThanOrEqual(floor?.overlap ?? 1);
    }
  });

  it('keeps overall F1 at or above its floor and findings of types the set has none of under the ceiling', () => {
    expect(report.micro.overlap.f1).toBeGreaterThanOrEqual(MICRO_F1_FLOOR);
    const stray = Object.entries(report.types).filter(([type]) => !QUALITY_TYPES.includes(type));
    const counts = JSON.stringify(Object.fromEntries(stray.map(([type, s]) => [type, s.exact.predicted])));
    expect(
      stray.reduce((n, [, s]) => n + s.exact.predicted, 0),
      counts,
    ).toBeLessThanOrEqual(STRAY_FINDINGS_CEILING);
  });
});
