// What the decision record (and so the access log, src/observability/request-scope.ts) holds as a request's model.
// Invariant: the model name is client text, so it enters the record as sent only when configuration names it (an
// upstream's catalogue lists it exactly, not by "*", or a route names it literally) or the policy's verdict depends on
// it (it allowed the request, or refuses it otherwise than it refuses WITHHELD_MODEL: its data lists the model); every
// other model is WITHHELD_MODEL, in `request.model` and in the recorded policy input alike, with the decision on that
// input (handle-request.ts). A digit rule does not fit model names (`claude-3-5-sonnet-20241022`), a configured name
// does.
import type { UpstreamSettings } from '../config/index.ts';
import type { PolicyInput } from '../policy/index.ts';
import { WITHHELD_TOOL_NAME } from './policy-input.ts';

/** The model as a refused request's record shows it when configuration does not name it. */
export const WITHHELD_MODEL = WITHHELD_TOOL_NAME;

/** True when an upstream among the request's candidates lists `model` exactly, or a route names it literally. */
export function modelNamed(
  model: string,
  candidates: readonly Pick<UpstreamSettings, 'models'>[],
  routes: readonly { model: string }[],
): boolean {
  if (model === '*') return false; // the catalogues' wildcard names no model
  return candidates.some((u) => u.models.includes(model)) || routes.some((r) => r.model === model);
}

/** The policy input with its model withheld (the input is recorded, and replayed as recorded). */
export function withModelWithheld(input: PolicyInput): PolicyInput {
  return { ...input, request: { ...input.request, model: WITHHELD_MODEL } };
}
