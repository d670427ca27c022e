// The classification contract: text segments in, findings out. A Finding locates a sensitive value and
// fingerprints it; it MUST NOT carry the value itself. Offsets are UTF-16 code units in the ORIGINAL text.

/** The checks, refiners and normalizers a recognizer may name (implemented in validators.ts). */
export type ValidatorName =
  | 'luhn'
  | 'luhn_short'
  | 'us_ssn'
  | 'us_ssn_shape'
  | 'aws_secret_key'
  | 'email'
  | 'email_fictional'
  | 'phone'
  | 'phone_fictional'
  | 'phone_national'
  | 'phone_national_grouped'
  | 'phone_br'
  | 'phone_labelled'
  | 'phone_labelled_fictional'
  | 'phone_possible'
  | 'phone_possible_fictional'
  | 'iban'
  | 'ipv4'
  | 'ipv6'
  | 'date'
  | 'aba_routing'
  | 'nhs'
  | 'nl_bsn'
  | 'not_placeholder'
  | 'high_entropy'
  | 'jwt'
  | 'btc_address'
  | 'eth_address'
  | 'private_key'
  | 'key_material'
  | 'openssh_private_section'
  | 'key_hex'
  | 'pgp_secret_key'
  | 'ed25519_keypair'
  | 'bip32_private_key'
  | 'wif_private_key'
  | 'secp256k1_hex'
  | 'clear_signify_key'
  | 'tink_key_value'
  | 'person_name'
  | 'person_name_named'
  | 'person_name_series'
  | 'mrn'
  | 'password'
  | 'secret_value'
  | 'person_name_listed'
  | 'person_name_single'
  | 'person_name_kanji';
export type RefinerName =
  | 'card_groups'
  | 'iban_length'
  | 'phone_groups'
  | 'labelled_phone_groups'
  | 'name_words'
  | 'name_prefixes'
  | 'name_series'
  | 'jwk_section_value';
export type NormalizerName = 'none' | 'digits' | 'lowercase' | 'alphanumeric_upper';

export interface TextSegment {
  /** Where the text sits in the request, e.g. "messages[1].content". */
  path: string;
  text: string;
  /** Whose text it is (a role: user, assistant, system, tool…): texts of one location are also joined in order. */
  location?: string;
}

export type Category = 'PII' | 'PHI' | 'PCI' | 'SECRET' | 'CUSTOM';

export const CATEGORIES: readonly Category[] = ['PII', 'PHI', 'PCI', 'SECRET', 'CUSTOM'];

export interface Finding {
  type: string;
  category: Category;
  /** Index into the segments given to classify(). */
  segment: number;
  path: string;
  /** UTF-16 offsets in the segment's original text, end exclusive. */
  start: number;
  end: number;
  /** Integer 0..100. */
  confidence: number;
  /** Hex HMAC-SHA256(fingerprintKey, normalised value). */
  fingerprint: string;
}

/** Exact counts over every finding of a classify() call, kept or not (the cap never changes them). */
export interface FindingCounts {
  total: number;
  types: Record<string, number>;
  categories: Partial<Record<Category, number>>;
  /** Findings per segment index, one entry per segment classified (a value split across segments: its first). */
  segments: number[];
  /**
   * Pieces per segment index: every segment a finding touches, a split value's continuations included. What decides
   * whether a segment's text may be shown anywhere (a tool name in the policy input, an MCP name in the record).
   */
  touched: number[];
  /** The highest confidence (0..100) among all findings; 0 when there are none. */
  maxConfidence: number;
}

export interface Classification {
  /** The findings in output order: all of them, or the first `maxFindings` when `truncated`. */
  findings: Finding[];
  /** Exact counts (absent only from classifiers that predate the cap: then `findings` is every finding). */
  counts?: FindingCounts;
  /** True when findings past the cap were counted but not kept. */
  truncated?: boolean;
  /** When truncated: the types of which at least one finding (or piece of a split value) was not kept. */
  droppedTypes?: string[];
}

export interface ClassifyOptions {
  /**
   * Keep at most this many findings (the first in output order); the rest are only counted, never fingerprinted.
   * Default: keep all (a caller that redacts or blocks on each finding MUST see every one).
   */
  maxFindings?: number;
}

/** A recognizer as data, so custom ones can come from configuration. */
export interface RecognizerDefinition {
  /** Finding type, e.g. 'US_SSN': upper-case letters, digits and underscores. */
  type: string;
  category: Category;
  /** RE2 source (no lookaround, no backreferences); inline flags such as (?i) are allowed. */
  pattern: string;
  /** Capture group whose span is the finding (default 0, the whole match); the rest of the match is context. */
  group?: number;
  /** Named splitter of a match into candidate spans (e.g. card numbers inside a run of digit groups). */
  refiner?: RefinerName;
  /** Named check each candidate must pass (Luhn, SSN ranges, …). */
  validator?: ValidatorName;
  /** How the value is normalised before fingerprinting (default 'none'). */
  normalizer?: NormalizerName;
  /** Lower-case words or phrases that, found near the match as whole words, raise confidence to contextScore. */
  contextWords?: string[];
  /**
   * Lower-case words that, found among the 24 characters before a match (within its clause when contextInClause),
   * mean the match is not this type however labelled ("birthday party on …" is no date of birth; "version 10.0.0.1"
   * no address): the match is dropped.
   */
  excludeWords?: string[];
  /**
   * Lower-case phrases that, ending right before a match (only spaces, and maybe an article `the`/`a`/`an`, between),
   * mean the match is not this type: "based in Rocha das Flores" is a place, "go to Paris with Alice Johnson" names
   * Alice Johnson (a phrase further back excludes nothing).
   */
  excludeAdjacent?: string[];
  /** How far (UTF-16 units) before and after a match context words count (default 48 before, 24 after). */
  contextWindow?: { before: number; after: number };
  /** Context before the match counts only within its own clause (after the last ". ", "; ", ", " or newline). */
  contextInClause?: boolean;
  /** Report a match only when a context word is near it (for formats that are ambiguous without a label). */
  requireContext?: boolean;
  /**
   * Give the pattern an RE2.Set of its own (one per type) for the pass that says which recognizers can match: for
   * large case-insensitive or Unicode alternations (month names, name titles) whose automaton, combined with the
   * others', outgrows RE2's DFA cache (the combined pass then falls to a few MB/s on varied text).
   */
  separateSet?: boolean;
  /** A catch-all (e.g. generic API keys): its findings give way to any other type's finding they overlap. */
  fallback?: boolean;
  /** Confidence (integer 0..100) of a validated match without context. */
  baseScore: number;
  /** Confidence with context (default min(100, baseScore + 20)). */
  contextScore?: number;
  /**
   * RE2 source, anchored at the end of the text when compiled (`(?:partial)$`), matching every text suffix that could
   * still be the beginning of a match (or a whole match that more text could change), so a stream scanner may release
   * everything before the earliest such suffix. MUST be conservative: a suffix it misses is released before the value
   * is complete. Without it, the scanner holds back a fixed window for this recognizer (stream-scanner.ts).
   */
  partial?: string;
}

export interface Classifier {
  /** Scans every segment. MUST be deterministic: same input and key, same findings in the same order. */
  classify(segments: readonly TextSegment[], options?: ClassifyOptions): Classification;
  /**
   * The definitions it was built from, so a stream scanner can judge what is safe to release early. A classifier that
   * does not expose them is streamed with the fixed hold-back window only.
   */
  readonly recognizers?: readonly RecognizerDefinition[];
}
