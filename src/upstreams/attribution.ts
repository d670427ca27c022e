// Who served behind a gateway: what a gateway upstream (LiteLLM, Portkey, Kong AI Gateway) says about the provider,
// model, deployment and cost it chose, read from a closed list of its response headers plus the answer's `model`.
// Invariants: only the headers named for the gateway's product (or configured) are read, nothing else of the
// response's headers; each value enters the outcome record only as a closed token (a bounded pattern that cannot
// carry prose) that the classifier finds nothing in; anything else is recorded as WITHHELD, never as received.
import type { Classifier } from '../classification/index.ts';

/** The gateway products whose attribution headers Proctor knows; `generic` reads only what the config names. */
export type GatewayProduct = 'litellm' | 'portkey' | 'kong' | 'generic';
export const GATEWAY_PRODUCTS: readonly GatewayProduct[] = ['litellm', 'portkey', 'kong', 'generic'];

/** Which response header carries each attributed field (lower-case names); absent fields are not read. */
export interface AttributionHeaders {
  provider?: string;
  model?: string;
  /** `provider/model` in one header (Kong's X-Kong-LLM-Model): split at the first `/`. */
  provider_model?: string;
  deployment?: string;
  api_base?: string;
  /** The request's cost in US dollars, as a decimal number (LiteLLM's x-litellm-response-cost). */
  cost_usd?: string;
  attempts?: string;
  trace_id?: string;
}
export type AttributionField = keyof AttributionHeaders;
export const ATTRIBUTION_FIELDS: readonly AttributionField[] = [
  'provider',
  'model',
  'provider_model',
  'deployment',
  'api_base',
  'cost_usd',
  'attempts',
  'trace_id',
];

/**
 * What each product documents (LiteLLM: docs "Response Headers"; Portkey: the gateway's RESPONSE_HEADER_KEYS in
 * @portkey-ai/gateway 1.15; Kong: the ai-proxy plugin's X-Kong-LLM-Model, "provider/model", since Kong 3.8).
 */
export const PRODUCT_HEADERS: Readonly<Record<GatewayProduct, AttributionHeaders>> = {
  litellm: {
    model: 'x-litellm-model-group',
    deployment: 'x-litellm-model-id',
    api_base: 'x-litellm-model-api-base',
    cost_usd: 'x-litellm-response-cost',
    attempts: 'x-litellm-attempted-retries',
    trace_id: 'x-litellm-call-id',
  },
  portkey: {
    provider: 'x-portkey-provider',
    deployment: 'x-portkey-last-used-option-index',
    attempts: 'x-portkey-retry-attempt-count',
    trace_id: 'x-portkey-trace-id',
  },
  kong: { provider_model: 'x-kong-llm-model' },
  generic: {},
};

/** The outcome record's `served_by`: what the gateway reported, each field a closed token, WITHHELD or null. */
export interface ServedBy {
  gateway: GatewayProduct;
  /** The `model` field of the (screened) answer; null for streams and answers without one. */
  answer_model: string | null;
  provider: string | null;
  model: string | null;
  deployment: string | null;
  api_base: string | null;
  cost_micro_usd: number | null;
  attempts: number | null;
  trace_id: string | null;
}

export const WITHHELD = '[WITHHELD]';
/** Longest header value read; a longer one is withheld (a cut could leave half a value). */
const MAX_VALUE = 256;
/** A provider, model, deployment or trace id: letters, digits and the punctuation model ids use; no spaces. */
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/;
/** An API base: scheme, host, port and path only (no user info, query or fragment, which can carry credentials). */
const API_BASE = /^https?:\/\/[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?(\/[A-Za-z0-9._~/-]{0,128})?$/;
const DECIMAL = /^[0-9]{1,9}(\.[0-9]{1,18})?([eE]-?[0-9]{1,2})?$/;
/**
 * The largest cost recorded, in micro-dollars ($1,000 for one request): a gateway's header is a number the upstream
 * chooses, and an unbounded one writes any 15 or 16 digits (a card number) into the signed record. Ten digits are
 * fewer than any card number has; a larger figure is no cost report, so it is not recorded.
 */
const MAX_COST_MICRO_USD = 1_000_000_000;
const COUNT = /^[0-9]{1,4}$/;

/** The header names to read from a gateway's answer: the product's, with the configured ones over them. */
export function attributionHeaders(product: GatewayProduct, overrides: AttributionHeaders): AttributionHeaders {
  return { ...PRODUCT_HEADERS[product], ...overrides };
}

/** The distinct header names `headers` reads, for the forwarder. */
export function headerNames(headers: AttributionHeaders): string[] {
  return [...new Set(ATTRIBUTION_FIELDS.map((f) => headers[f]).filter((h): h is string => h !== undefined))];
}

/**
 * Builds `served_by` from the response headers the forwarder read (`received`, by lower-case name) and the answer.
 * Every string that would enter the record is classified in one call; a value with a finding, or that fails to
 * classify, or that is not a closed token of its field's form, is WITHHELD.
 */
export function servedBy(
  product: GatewayProduct,
  names: AttributionHeaders,
  received: Readonly<Record<string, string>>,
  answer: unknown,
  classifier: Pick<Classifier, 'classify'>,
): ServedBy {
  const raw = (field: AttributionField): string | null => {
    const name = names[field];
    return name === undefined ? null : (received[name] ?? null);
  };
  let provider = raw('provider');
  let model = raw('model');
  const both = raw('provider_model');
  if (both !== null) {
    const slash = both.indexOf('/');
    if (slash > 0) {
      provider ??= both.slice(0, slash);
      model ??= both.slice(slash + 1);
    } else model ??= both;
  }
  const answerModel =
    typeof answer === 'object' && answer !== null && typeof (answer as { model?: unknown }).model === 'string'
      ? ((answer as { model: string }).model as string)
      : null;
  const texts = {
    answer_model: closed(answerModel, TOKEN),
    provider: closed(provider, TOKEN),
    model: closed(model, TOKEN),
    deployment: closed(raw('deployment'), TOKEN),
    api_base: closed(raw('api_base'), API_BASE),
    trace_id: closed(raw('trace_id'), TOKEN),
  };
  const keys = (Object.keys(texts) as (keyof typeof texts)[]).filter((k) => texts[k] !== null && texts[k] !== WITHHELD);
  let dirty = new Set<number>();
  if (keys.length > 0) {
    try {
      const findings = classifier.classify(keys.map((k) => ({ path: `served_by.${k}`, text: texts[k] as string })));
      dirty = new Set(findings.findings.map((f) => f.segment));
    } catch {
      dirty = new Set(keys.map((_, i) => i)); // fail closed: what cannot be classified is not recorded
    }
  }
  keys.forEach((k, i) => {
    if (dirty.has(i)) texts[k] = WITHHELD;
  });
  return { gateway: product, ...texts, cost_micro_usd: microUsd(raw('cost_usd')), attempts: count(raw('attempts')) };
}

function closed(value: string | null, form: RegExp): string | null {
  if (value === null || value === '') return null; // an empty header says nothing
  return value.length <= MAX_VALUE && form.test(value) ? value : WITHHELD;
}

/**
 * A decimal dollar amount as whole micro-dollars (rounded); null when absent, not a plain non-negative number, or past
 * MAX_COST_MICRO_USD.
 */
function microUsd(value: string | null): number | null {
  if (value === null || value.length > 64 || !DECIMAL.test(value)) return null;
  const micro = Math.round(Number(value) * 1_000_000);
  return Number.isSafeInteger(micro) && micro >= 0 && micro <= MAX_COST_MICRO_USD ? micro : null;
}

function count(value: string | null): number | null {
  return value !== null && COUNT.test(value) ? Number(value) : null;
}
