// Model → upstream routing. Invariants: the candidates for a request are the first matching route's list (or the
// default list, or every upstream in configuration order), kept in that order, and only upstreams that serve the
// request's API family and model; `restrict` never adds a name the decision did not allow.
import type { ApiFamily } from './kinds.ts';

/** `*` matches any run of characters (none included); every other character matches itself. */
export function modelPatternMatches(pattern: string, model: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === model;
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (model.length < first.length + last.length || !model.startsWith(first) || !model.endsWith(last)) return false;
  let at = first.length;
  const end = model.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = model.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

/** The policy's rule, kept identical: an upstream serves a model its list names exactly, or any model with "*". */
export function servesModel(upstream: { models: readonly string[] }, model: string): boolean {
  return upstream.models.includes('*') || upstream.models.includes(model);
}

export interface RoutableUpstream {
  name: string;
  apis: readonly ApiFamily[];
  models: readonly string[];
}

export interface RoutingTable {
  routes: readonly { model: string; api: ApiFamily | null; upstreams: readonly string[] }[];
  default: readonly string[] | null;
}

/** The ordered candidates for a request, before the decision narrows them. */
export function candidatesFor<U extends RoutableUpstream>(
  upstreams: readonly U[],
  routing: RoutingTable,
  api: ApiFamily,
  model: string,
): U[] {
  const route = routing.routes.find((r) => (r.api === null || r.api === api) && modelPatternMatches(r.model, model));
  const byName = new Map(upstreams.map((u) => [u.name, u]));
  const names = route?.upstreams ?? routing.default ?? upstreams.map((u) => u.name);
  return names
    .map((name) => byName.get(name))
    .filter((u): u is U => u !== undefined && u.apis.includes(api) && servesModel(u, model));
}

/** Keeps the candidates the decision allows, in routing order. MUST NOT return a name outside `allowed`. */
export function restrict<U extends { name: string }>(candidates: readonly U[], allowed: readonly string[]): U[] {
  const permitted = new Set(allowed);
  return candidates.filter((u) => permitted.has(u.name));
}
