// A pool thread's entry for thread-pool.test.ts: its start-up is held until the test stores 1 in workerData.gate (a
// shared Int32Array), as a loaded machine holds a thread loading its modules; then it answers `echo` with its message's
// `value` and never answers `hang`.
import { parentPort, workerData } from 'node:worker_threads';

const { gate } = workerData as { gate: Int32Array };
Atomics.wait(gate, 0, 0);
const port = parentPort;
port?.on('message', (message: { id: number; kind: string; value?: unknown }) => {
  if (message.kind === 'echo') port.postMessage({ id: message.id, result: message.value });
});
