// Built-in recognizers for credentials (SECRET), as data. Vendor formats come from each vendor's documented prefix;
// documented placeholder values (AKIAIOSFODNN7EXAMPLE, "xxxx", "your-api-key", "<token>") are never findings.
// GENERIC_API_KEY is a labelled, entropy-checked fallback: it yields to any specific finding it overlaps.
import type { RecognizerDefinition } from './types.ts';

/** Long-term (AKIA) and temporary (ASIA) access key ids. */
export const AWS_ACCESS_KEY: RecognizerDefinition = {
  type: 'AWS_ACCESS_KEY',
  category: 'SECRET',
  pattern: String.raw`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,
  validator: 'not_placeholder',
  contextWords: ['aws', 'access key', 'access_key', 'key id', 'key_id'],
  baseScore: 90,
  contextScore: 100,
};

/** 40 base64 characters right after a label (`aws_secret_access_key = …`, `"SecretAccessKey": "…"`); the finding is the value. */
export const AWS_SECRET_KEY: RecognizerDefinition = {
  type: 'AWS_SECRET_KEY',
  category: 'SECRET',
  pattern: String.raw`(?i)(?:aws[_ .-]?)?secret[_ .-]?(?:access[_ .-]?)?key["']?\s*(?:[:=]|=>|is)?\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)`,
  group: 1,
  validator: 'aws_secret_key',
  baseScore: 90,
};

function vendor(type: string, pattern: string, words: string[] = []): RecognizerDefinition {
  return { type, category: 'SECRET', pattern, validator: 'not_placeholder', contextWords: words, baseScore: 95, contextScore: 100 };
}

export const GITHUB_TOKEN = vendor('GITHUB_TOKEN',
  String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b`, ['github', 'token']);
export const GITLAB_TOKEN = vendor('GITLAB_TOKEN', String.raw`\bglpat-[0-9A-Za-z_-]{20,50}\b`, ['gitlab']);
export const SLACK_TOKEN = vendor('SLACK_TOKEN',
  String.raw`\b(?:xox[abposr]-\d{6,}-[0-9A-Za-z-]{8,200}|xapp-\d-[A-Z0-9]{6,}-\d{6,}-[a-f0-9]{32,80})\b`, ['slack']);
export const SLACK_WEBHOOK = vendor('SLACK_WEBHOOK',
  String.raw`https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,12}/[A-Z0-9]{6,12}/[A-Za-z0-9]{16,40}`, ['slack', 'webhook']);
export const STRIPE_SECRET_KEY = vendor('STRIPE_SECRET_KEY', String.raw`\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,247}\b`, ['stripe']);
export const OPENAI_API_KEY = vendor('OPENAI_API_KEY',
  String.raw`\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200}\b`, ['openai']);
export const ANTHROPIC_API_KEY = vendor('ANTHROPIC_API_KEY', String.raw`\bsk-ant-(?:api|admin|oat)\d{2}-[A-Za-z0-9_-]{80,120}\b`, ['anthropic', 'claude']);
export const GOOGLE_API_KEY = vendor('GOOGLE_API_KEY', String.raw`\bAIza[0-9A-Za-z_-]{35}\b`, ['google', 'gcp', 'firebase']);
export const NPM_TOKEN = vendor('NPM_TOKEN', String.raw`\bnpm_[A-Za-z0-9]{36}\b`, ['npm']);
export const SENDGRID_API_KEY = vendor('SENDGRID_API_KEY', String.raw`\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b`, ['sendgrid']);

/** A PEM/OpenSSH/PGP private key block, BEGIN to END; a block cut off before END runs to the end of the text. */
export const PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?s:.)*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)`,
  validator: 'private_key',
  baseScore: 100,
};

export const JWT: RecognizerDefinition = {
  type: 'JWT',
  category: 'SECRET',
  pattern: String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`,
  validator: 'jwt',
  contextWords: ['bearer', 'token', 'jwt', 'authorization'],
  baseScore: 90,
  contextScore: 100,
};

/** A value after a credential label (`api_key = …`, `"client_secret": "…"`, `Bearer …`) that looks random. */
export const GENERIC_API_KEY: RecognizerDefinition = {
  type: 'GENERIC_API_KEY',
  category: 'SECRET',
  pattern: String.raw`(?i:\b(?:api[_-]?key|apikey|api[_-]?secret|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|private[_-]?token|refresh[_-]?token|bearer|token|secret|password|passwd|x-api-key)\b)["']?\s*(?:[:=]|=>|:=)?\s*["']?([A-Za-z0-9_\-./+=~]{16,256})`,
  group: 1,
  validator: 'high_entropy',
  fallback: true,
  baseScore: 70,
};
