// Group commit: items enqueued by concurrent callers are handed to `commit` in batches, in enqueue order. A batch is
// flushed when it reaches maxRecords or maxWaitMs after its first item (0: on the next turn of the event loop); items
// arriving while a batch is busy form the next batch. Batches are pipelined two deep: `commit` may call `sealed()` once
// the part of its work that must happen one batch at a time (sealing the records after the previous batch's) is done,
// and the next batch then starts while this one writes (once `pipelineMin` items wait); a `commit` that never calls
// it keeps one batch in flight.
// Ordering across batches is `commit`'s business (the ledger writes batches in the order they were sealed).
// A caller's promise settles only with its batch: resolved once `commit` resolved (committed), rejected otherwise.

export interface GroupCommitOptions {
  /** Largest batch (default 256). */
  maxRecords: number;
  /** Longest wait for more items once one is queued, in milliseconds (default 0). */
  maxWaitMs: number;
  /** Start a batch while the previous one writes only once this many items wait (default 16); fewer wait for it and
   * join the next batch whole — early small batches would only mean more, smaller transactions. */
  pipelineMin?: number;
}

/** Per item: its result, or its own error (an item refused without failing the batch). */
export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface GroupCommitter<I, O> {
  enqueue(item: I): Promise<O>;
  /** Waits until everything enqueued so far has settled. */
  drain(): Promise<void>;
}

interface Waiter<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/** Batches in flight at once: one writing, one sealing. */
const DEPTH = 2;

/** `commit` MUST resolve only after the batch is durable, with one result per item in order; throwing fails all. */
export function createGroupCommitter<I, O>(
  options: GroupCommitOptions,
  commit: (items: I[], sealed: () => void) => Promise<ItemResult<O>[]>,
): GroupCommitter<I, O> {
  const queue: Waiter<I, O>[] = [];
  let sealing = false; // a batch has not called sealed() yet: the next one waits
  let running = 0;
  let timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | null = null;
  let idle: (() => void)[] = [];

  const pipelineMin = options.pipelineMin ?? 16;
  const busy = () => sealing || running >= DEPTH || (running > 0 && queue.length < pipelineMin);

  const schedule = () => {
    if (timer !== null || busy() || queue.length === 0) return;
    if (queue.length >= options.maxRecords) return flush();
    timer = options.maxWaitMs > 0 ? setTimeout(flush, options.maxWaitMs) : setImmediate(flush);
  };

  function flush(): void {
    if (timer !== null) {
      clearTimeout(timer as ReturnType<typeof setTimeout>);
      clearImmediate(timer as ReturnType<typeof setImmediate>);
      timer = null;
    }
    if (busy() || queue.length === 0) return;
    const batch = queue.splice(0, options.maxRecords);
    sealing = true;
    running += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      sealing = false;
      if (queue.length > 0) flush(); // these waited while the previous batch was sealed
    };
    void run(batch, release).finally(() => {
      running -= 1;
      release();
      if (queue.length > 0) flush();
      else if (running === 0) {
        const resolvers = idle;
        idle = [];
        for (const resolve of resolvers) resolve();
      }
    });
  }

  async function run(batch: Waiter<I, O>[], release: () => void): Promise<void> {
    let results: ItemResult<O>[];
    try {
      results = await commit(batch.map((w) => w.item), release);
      if (results.length !== batch.length) throw new Error(`commit returned ${results.length} results for ${batch.length} items`);
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const r = results[i] as ItemResult<O>;
      if (r.ok) w.resolve(r.value);
      else w.reject(r.error);
    });
  }

  return {
    enqueue(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= options.maxRecords && !busy()) flush();
        else schedule();
      });
    },
    drain() {
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
