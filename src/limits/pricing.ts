// The pricing table (schemas/pricing.v1.json): integer micro-USD per million tokens per upstream and model, and the
// cost of a usage. Invariants: money is an integer number of micro-USD, computed with BigInt and rounded UP once per
// request (never below the true price); a model without an entry is denied or priced as a named default, never free.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { LimitsError } from './errors.ts';

export interface Price {
  /** micro-USD per million uncached input tokens */
  input: number;
  /** micro-USD per million output tokens */
  output: number;
  /** micro-USD per million cached input tokens */
  cached_input: number;
  /** micro-USD per million input tokens written to the provider's prompt cache (absent: input) */
  cache_write?: number;
  /** micro-USD per million input tokens written to a 1-hour prompt cache (absent: cache_write) */
  cache_write_1h?: number;
}

export interface PricingTable {
  version: string;
  unknown_model: 'deny' | { price_as: string };
  defaults?: Record<string, Price>;
  upstreams: Record<string, Record<string, Price>>;
}

/** Which entry priced a request: `upstream/model`, or `default:NAME` for an unknown model priced as a default. */
export interface PriceQuote {
  version: string;
  entry: string;
  price: Price;
}

/**
 * Tokens to price, all parts of prompt_tokens except completion_tokens: cached_input_tokens the provider served from
 * its prompt cache, cache_write_tokens it wrote to it, of which cache_write_1h_tokens to a 1-hour cache.
 */
export interface BillableTokens {
  prompt_tokens: number;
  completion_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens?: number;
  cache_write_1h_tokens?: number;
}

const MICRO_PER_MILLION = 1_000_000n;

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
let compiled: Validate | undefined;

function validator(): Validate {
  if (!compiled) {
    const schema: unknown = JSON.parse(readFileSync(new URL('../../schemas/pricing.v1.json', import.meta.url), 'utf8'));
    compiled = new Ajv2020({ strict: true, allErrors: true }).compile(schema as object) as Validate;
  }
  return compiled;
}

/** Validates a parsed pricing document; every problem is named with its JSON path. */
export function parsePricing(document: unknown, source: string): PricingTable {
  const validate = validator();
  if (!validate(document)) {
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath === '' ? '/' : e.instancePath}: ${e.message ?? 'is invalid'}`,
    );
    throw new LimitsError(
      'ERR_PRICING_INVALID',
      `pricing table ${source} is invalid:\n  ${[...new Set(problems)].join('\n  ')}`,
    );
  }
  const table = document as PricingTable;
  if (typeof table.unknown_model === 'object' && !Object.hasOwn(table.defaults ?? {}, table.unknown_model.price_as)) {
    throw new LimitsError(
      'ERR_PRICING_INVALID',
      `pricing table ${source} is invalid:\n` +
        `  /unknown_model/price_as: no entry '${table.unknown_model.price_as}' in defaults`,
    );
  }
  return table;
}

/** Reads a pricing table from a YAML or JSON file. */
export function loadPricingFile(file: string): PricingTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LimitsError(
      'ERR_PRICING_INVALID',
      `pricing table ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let document: unknown;
  try {
    document = parseYaml(text, { strict: true, uniqueKeys: true });
  } catch (error) {
    throw new LimitsError(
      'ERR_PRICING_INVALID',
      `pricing table ${file} is not valid YAML/JSON: ${(error as Error).message}`,
    );
  }
  return parsePricing(document, file);
}

/** The price of a model on an upstream, or null when the table says unknown models are denied. */
export function quote(table: PricingTable, upstream: string, model: string): PriceQuote | null {
  const models = Object.hasOwn(table.upstreams, upstream) ? table.upstreams[upstream] : undefined;
  const price = models && Object.hasOwn(models, model) ? models[model] : undefined;
  if (price) return { version: table.version, entry: `${upstream}/${model}`, price };
  if (table.unknown_model === 'deny') return null;
  const name = table.unknown_model.price_as;
  const fallback = table.defaults?.[name];
  if (!fallback) throw new LimitsError('ERR_PRICING_INVALID', `pricing default '${name}' is missing`);
  return { version: table.version, entry: `default:${name}`, price: fallback };
}

/**
 * cost = ceil((input tokens * input + cache reads * cached_input + cache writes * cache_write
 *             + 1-hour cache writes * cache_write_1h + output * output_price) / 1e6) micro-USD,
 * where input tokens are the prompt's other tokens. Exact: in doubles while every product and partial sum is a safe
 * integer (nearly every request; 4 calls a request, and BigInt took ~8 % of the limits stage's CPU), else in BigInt;
 * one ceiling per request, so the error is under one micro-USD and never in the requester's favour. Cache reads and
 * writes beyond the prompt are clamped to it (reads first), 1-hour writes to the writes.
 */
export function costMicroUsd(price: Price, tokens: BillableTokens): number {
  checkCount('prompt_tokens', tokens.prompt_tokens);
  checkCount('completion_tokens', tokens.completion_tokens);
  checkCount('cached_input_tokens', tokens.cached_input_tokens);
  if (tokens.cache_write_tokens !== undefined) checkCount('cache_write_tokens', tokens.cache_write_tokens);
  if (tokens.cache_write_1h_tokens !== undefined) checkCount('cache_write_1h_tokens', tokens.cache_write_1h_tokens);
  const t = clampCacheTokens(tokens);
  const cached = t.cached_input_tokens;
  const writes = t.cache_write_tokens ?? 0;
  const writes1h = t.cache_write_1h_tokens ?? 0;
  const counts = [t.prompt_tokens - cached - writes, cached, writes - writes1h, writes1h, t.completion_tokens] as const;
  const writePrice = price.cache_write ?? price.input;
  const rates = [
    price.input,
    price.cached_input,
    writePrice,
    price.cache_write_1h ?? writePrice,
    price.output,
  ] as const;
  // A product or sum past 2^53 is never a safe integer, and one within it is exact: no check passes a rounded value.
  let sum = 0;
  let exact = true;
  for (let i = 0; i < 5 && exact; i += 1) {
    const product = (counts[i] as number) * (rates[i] as number);
    sum += product;
    exact = Number.isSafeInteger(product) && Number.isSafeInteger(sum);
  }
  // Exact for a safe integer: the quotient (< 2^34) is rounded by less than half an ulp (≤ 2^-20), and a remainder is
  // at least 1e-6, so the rounding never lands on an integer the quotient is not.
  if (exact) return Math.ceil(sum / MICRO);
  let numerator = 0n;
  for (let i = 0; i < 5; i += 1) numerator += BigInt(counts[i] as number) * BigInt(rates[i] as number);
  const cost = (numerator + MICRO_PER_MILLION - 1n) / MICRO_PER_MILLION;
  if (cost > BigInt(Number.MAX_SAFE_INTEGER))
    throw new LimitsError('ERR_LIMITS_INVALID', 'cost exceeds the safe integer range');
  return Number(cost);
}

const MICRO = 1_000_000;

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new LimitsError('ERR_LIMITS_INVALID', `${name} must be a non-negative safe integer`);
}

/**
 * The cache counts each within what it is part of, as they are priced: reads within the prompt, writes within the
 * rest of it, 1-hour writes within the writes. Write counts that are absent stay absent.
 */
export function clampCacheTokens(tokens: BillableTokens): BillableTokens {
  const cached = Math.min(tokens.cached_input_tokens, tokens.prompt_tokens);
  const writes =
    tokens.cache_write_tokens === undefined
      ? undefined
      : Math.min(tokens.cache_write_tokens, tokens.prompt_tokens - cached);
  const writes1h =
    tokens.cache_write_1h_tokens === undefined ? undefined : Math.min(tokens.cache_write_1h_tokens, writes ?? 0);
  return {
    prompt_tokens: tokens.prompt_tokens,
    completion_tokens: tokens.completion_tokens,
    cached_input_tokens: cached,
    ...(writes === undefined ? {} : { cache_write_tokens: writes }),
    ...(writes1h === undefined ? {} : { cache_write_1h_tokens: writes1h }),
  };
}

/**
 * The most a request with these token counts can cost: its prompt at the dearest input rate the entry has (a provider
 * may write all of it to its prompt cache, at cache_write or cache_write_1h). What a reservation holds, so a spend
 * limit holds also for requests that write to the cache.
 */
export function maxCostMicroUsd(price: Price, promptTokens: number, completionTokens: number): number {
  const tokens = { prompt_tokens: promptTokens, completion_tokens: completionTokens, cached_input_tokens: 0 };
  return Math.max(
    costMicroUsd(price, tokens),
    costMicroUsd(price, { ...tokens, cache_write_tokens: promptTokens }),
    costMicroUsd(price, { ...tokens, cache_write_tokens: promptTokens, cache_write_1h_tokens: promptTokens }),
  );
}
