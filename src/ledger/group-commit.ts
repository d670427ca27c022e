// Group commit: items enqueued by concurrent callers are handed to `commit` in batches, one batch in flight at a
// time, in enqueue order. A batch is flushed when it reaches maxRecords or maxWaitMs after its first item (0: on the
// next turn of the event loop); items arriving while a batch commits form the next batch. A caller's promise settles
// only with its batch: resolved once `commit` resolved (committed), rejected with the batch's error otherwise.

export interface GroupCommitOptions {
  /** Largest batch (default 256). */
  maxRecords: number;
  /** Longest wait for more items once one is queued, in milliseconds (default 0). */
  maxWaitMs: number;
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

/** `commit` MUST resolve only after the batch is durable, with one result per item in order; throwing fails all. */
export function createGroupCommitter<I, O>(
  options: GroupCommitOptions,
  commit: (items: I[]) => Promise<ItemResult<O>[]>,
): GroupCommitter<I, O> {
  const queue: Waiter<I, O>[] = [];
  let inFlight: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | null = null;
  let idle: (() => void)[] = [];

  const schedule = () => {
    if (timer !== null || inFlight !== null || queue.length === 0) return;
    if (queue.length >= options.maxRecords) return flush();
    timer = options.maxWaitMs > 0 ? setTimeout(flush, options.maxWaitMs) : setImmediate(flush);
  };

  function flush(): void {
    if (timer !== null) {
      clearTimeout(timer as ReturnType<typeof setTimeout>);
      clearImmediate(timer as ReturnType<typeof setImmediate>);
      timer = null;
    }
    if (inFlight !== null || queue.length === 0) return;
    const batch = queue.splice(0, options.maxRecords);
    inFlight = run(batch).finally(() => {
      inFlight = null;
      if (queue.length > 0) flush(); // these waited while the previous batch committed
      else {
        const resolvers = idle;
        idle = [];
        for (const resolve of resolvers) resolve();
      }
    });
  }

  async function run(batch: Waiter<I, O>[]): Promise<void> {
    let results: ItemResult<O>[];
    try {
      results = await commit(batch.map((w) => w.item));
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
        if (queue.length >= options.maxRecords && inFlight === null) flush();
        else schedule();
      });
    },
    drain() {
      if (inFlight === null && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
