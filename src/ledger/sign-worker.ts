// The signing thread for node:crypto signers: Ed25519 over many messages at once, off the event loop, so part of a
// batch is signed while the one before it commits. It holds KeyObjects sent to it (never key bytes or PEM) and answers
// each request with the signatures concatenated (64 bytes each), transferred back without a copy.
import { sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

/** `data` holds the messages back to back; message i is data[ends[i-1] .. ends[i]) (one buffer: cheap to transfer). */
type Request =
  | { kind: 'key'; keyId: number; key: KeyObject }
  | { kind: 'sign'; id: number; keyId: number; data: Uint8Array; ends: Uint32Array };

const keys = new Map<number, KeyObject>();

parentPort?.on('message', (request: Request) => {
  if (request.kind === 'key') {
    keys.set(request.keyId, request.key);
    return;
  }
  const key = keys.get(request.keyId);
  if (!key) {
    parentPort?.postMessage({ id: request.id, error: `unknown signing key ${request.keyId}` });
    return;
  }
  try {
    const { data, ends } = request;
    const out = new Uint8Array(ends.length * 64);
    let start = 0;
    for (let i = 0; i < ends.length; i++) {
      const end = ends[i] as number;
      out.set(sign(null, data.subarray(start, end), key), i * 64);
      start = end;
    }
    parentPort?.postMessage({ id: request.id, signatures: out }, [out.buffer]);
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
