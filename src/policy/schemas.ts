// Compiled validators for policy-input.v1 and policy-decision.v1 (schemas/ is the authority).
// Compiled on first use, never at import; Ajv runs strict, so a schema mistake fails loudly at first use.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import decisionSchema from '../../schemas/policy-decision.v1.json' with { type: 'json' };
import inputSchema from '../../schemas/policy-input.v1.json' with { type: 'json' };
import type { Decision, PolicyInput } from './types.ts';

export interface PolicyValidators {
  input: ValidateFunction<PolicyInput>;
  decision: ValidateFunction<Decision>;
}

let compiled: PolicyValidators | undefined;

export function policyValidators(): PolicyValidators {
  if (compiled === undefined) {
    const ajv = new Ajv2020({ strict: true, allErrors: false, allowUnionTypes: true });
    compiled = {
      input: ajv.compile<PolicyInput>(inputSchema),
      decision: ajv.compile<Decision>(decisionSchema),
    };
  }
  return compiled;
}

/** The first schema error as "<path> <message>"; paths name fields, never field values. */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (first === undefined) return 'does not match the schema';
  return `${first.instancePath === '' ? '/' : first.instancePath} ${first.message ?? 'is invalid'}`;
}
