// Evaluation through the OPA wasm ABI 1.2 `opa_eval` export, as @open-policy-agent/opa-wasm's own fast path does, with
// less work on the JavaScript side (issue 17): the input's JSON is encoded straight into the wasm memory (no copy), the
// result's end is found by a native search (the SDK scans it byte by byte in JavaScript) and one decoder is kept; the
// result set is also given as its JSON text (evaluateText), which the engine parses only when it has not seen it.
// Invariants: the same result set as the SDK's evaluate for the same input; the SDK's data and heap addresses are read
// at every call, so data loaded later with setData is used; anything unexpected about the loaded policy means the SDK's
// own evaluate is used instead (fastEvaluator returns null).
import type { WasmPolicy } from './engine.ts';

/** The parts of the SDK's LoadedPolicy (opa.js) the fast path reads: its instance, memory, data and heap addresses. */
interface LoadedInternals {
  minorVersion?: unknown;
  mem?: unknown;
  wasmInstance?: unknown;
  dataAddr?: unknown;
  dataHeapPtr?: unknown;
  entrypoints?: unknown;
}

/** The part of a WebAssembly.Memory used here (tsconfig's lib has no WebAssembly types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

function isMemory(value: unknown): value is WasmMemory {
  if (typeof value !== 'object' || value === null) return false;
  const { buffer, grow } = value as { buffer?: unknown; grow?: unknown };
  return buffer instanceof ArrayBuffer && typeof grow === 'function';
}

type OpaEval = (
  reserved: number,
  entrypoint: number,
  dataAddr: number,
  inputAddr: number,
  inputLength: number,
  heapAddr: number,
  format: number,
) => number;

const PAGE = 64 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A WasmPolicy on `opa_eval`, or null when the loaded policy is not what this was written against (then the caller
 * uses the SDK's evaluate). */
export function fastEvaluator(policy: WasmPolicy): WasmPolicy | null {
  const loaded = policy as unknown as LoadedInternals;
  const exports = (loaded.wasmInstance as { exports?: Record<string, unknown> } | undefined)?.exports;
  const opaEval = exports?.opa_eval;
  const { mem, entrypoints } = loaded;
  if (typeof loaded.minorVersion !== 'number' || loaded.minorVersion < 2) return null;
  if (typeof opaEval !== 'function' || !isMemory(mem)) return null;
  if (typeof entrypoints !== 'object' || entrypoints === null) return null;
  if (typeof loaded.dataAddr !== 'number' || typeof loaded.dataHeapPtr !== 'number') return null;
  const evaluate = opaEval as OpaEval;
  const ids = entrypoints as Record<string, unknown>;
  const evaluateText = (input: unknown, entrypoint: string): string => {
    const id = Object.hasOwn(ids, entrypoint) ? ids[entrypoint] : undefined;
    if (typeof id !== 'number') throw new Error(`entrypoint ${entrypoint} is not valid in this instance`);
    const dataAddr = loaded.dataAddr as number;
    const inputAddr = loaded.dataHeapPtr as number;
    const text = JSON.stringify(input) ?? ''; // undefined writes nothing, as the SDK's evaluate does
    // Encoded in place, after the data (where the SDK puts it too). When it does not fit, the memory grows by what
    // the input needs, as the SDK's does (past the memory's maximum, grow throws: an evaluation failure).
    let { read, written } = encoder.encodeInto(text, new Uint8Array(mem.buffer, inputAddr));
    if (read < text.length) {
      mem.grow(Math.ceil((inputAddr + Buffer.byteLength(text, 'utf8') - mem.buffer.byteLength) / PAGE));
      ({ read, written } = encoder.encodeInto(text, new Uint8Array(mem.buffer, inputAddr)));
      if (read < text.length) throw new Error('the policy input does not fit in the wasm memory');
    }
    const resultAddr = evaluate(0, id, dataAddr, inputAddr, written, inputAddr + written, 0);
    const memory = new Uint8Array(mem.buffer); // after the evaluation: it may have grown the memory
    const end = memory.indexOf(0, resultAddr);
    if (end < 0) throw new Error('the policy result is not terminated');
    return decoder.decode(memory.subarray(resultAddr, end));
  };
  return { evaluate: (input, entrypoint) => JSON.parse(evaluateText(input, entrypoint)), evaluateText };
}
