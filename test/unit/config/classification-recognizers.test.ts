// classification.recognizers in the configuration: resolved to settings, appended to the built-in set, and a
// pattern RE2 rejects is a configuration error naming the recognizer (check-config) and a start-up error.
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../../src/config/index.ts';
import { ClassificationError, createClassifier, recognizersWith } from '../../../src/classification/index.ts';

const env = { DATABASE_URL: 'postgres://u:p@db/proctor', SIGNING_KEY: 'pem', FP_KEY: 'x'.repeat(40) };
const doc = (recognizers: unknown[]) => ({
  database: { url: { env: 'DATABASE_URL' } },
  ledger: { chain: 'c', signing_key: { env: 'SIGNING_KEY' } },
  identity: { issuers: [{ issuer: 'https://idp.contoso.io', audience: ['proctor'] }] },
  classification: { fingerprint_key: { env: 'FP_KEY' }, recognizers },
  policy: { bundle: 'bundles/default.tar.gz' },
  upstreams: [{ name: 'openai', provider: 'openai', base_url: 'https://api.openai.com/v1', models: ['*'] }],
});
const employeeId = {
  type: 'EMPLOYEE_ID',
  category: 'CUSTOM',
  pattern: '\\bEMP-\\d{6}\\b',
  context_words: ['Employee'],
  base_score: 80,
};

function problemsOf(recognizers: unknown[]): readonly string[] {
  try {
    resolveConfig(doc(recognizers), { env, baseDir: '/etc/proctor' });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('classification.recognizers', () => {
  it('resolves to settings the classifier runs after the built-in set', () => {
    const config = resolveConfig(doc([employeeId]), { env, baseDir: '/etc/proctor' });
    expect(config.classification.recognizers).toEqual([
      {
        type: 'EMPLOYEE_ID',
        category: 'CUSTOM',
        pattern: '\\bEMP-\\d{6}\\b',
        contextWords: ['employee'],
        requireContext: false,
        baseScore: 80,
      },
    ]);
    const classifier = createClassifier({
      fingerprintKey: config.classification.fingerprintKey,
      recognizers: recognizersWith(config.classification.recognizers),
    });
    const findings = classifier.classify([
      { path: 'p', text: 'employee EMP-004211, reach ann@contoso-corp.io' },
    ]).findings;
    expect(findings.map((f) => [f.type, f.category, f.confidence])).toEqual([
      ['EMPLOYEE_ID', 'CUSTOM', 100],
      ['EMAIL', 'PII', 90],
    ]);
  });

  it('defaults to none', () => {
    const d = doc([]);
    delete (d.classification as { recognizers?: unknown }).recognizers;
    expect(resolveConfig(d, { env, baseDir: '/etc/proctor' }).classification.recognizers).toEqual([]);
  });

  it('names the recognizer whose pattern RE2 rejects (lookahead, backreference)', () => {
    expect(problemsOf([employeeId, { ...employeeId, type: 'BAD_ONE', pattern: 'a(?=b)' }]).join('\n')).toMatch(
      /^\/classification\/recognizers\/1\/pattern: recognizer BAD_ONE: /m,
    );
    expect(problemsOf([{ ...employeeId, type: 'BACKREF', pattern: '(a)\\1' }]).join('\n')).toContain(
      'recognizer BACKREF',
    );
  });

  it('rejects unknown fields, validators and categories by path', () => {
    expect(problemsOf([{ ...employeeId, validator: 'crc64' }]).join('\n')).toContain(
      '/classification/recognizers/0/validator',
    );
    expect(problemsOf([{ ...employeeId, colour: 'red' }]).join('\n')).toContain('/classification/recognizers/0');
    expect(problemsOf([{ ...employeeId, require_context: true, context_words: [] }]).join('\n')).toContain(
      '/classification/recognizers/0/require_context',
    );
  });

  it('is a start-up error naming the recognizer when the classifier is built with a bad pattern', () => {
    const build = () =>
      createClassifier({
        fingerprintKey: new Uint8Array(32),
        recognizers: recognizersWith([
          {
            type: 'BAD_ONE',
            category: 'CUSTOM',
            pattern: 'a(?<=b)',
            contextWords: [],
            requireContext: false,
            baseScore: 50,
          },
        ]),
      });
    expect(build).toThrow(ClassificationError);
    expect(build).toThrow(expect.objectContaining({ code: 'ERR_RECOGNIZER_INVALID', recognizer: 'BAD_ONE' }));
  });
});
