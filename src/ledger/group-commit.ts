// Group commit: items enqueued by concurrent callers are handed to `commit` in batches, in enqueue order. A batch is
// flushed when it reaches maxRecords or maxWaitMs after its first item (0: on the next turn of the event loop, so that
// the appends of a busy loop's turn share it; or, when the last batch held one item and none is in flight, in a
// microtask: one request at a time then waits for no turn, twice a request); items arriving while a batch is busy form
// the next batch. Batches are pipelined two deep: `commit` may call `sealed()` once
// the part of its work that must happen one batch at a time (sealing the records after the previous batch's) is done,
// and the next batch then starts while this one writes (once `pipelineMin` items wait); a `commit` that never calls
// it keeps one batch in flight.
// Ordering across batches is `commit`'s business (the ledger writes batches in the order they were sealed). When more
// items wait than one batch takes, those `urgent` says are urgent go first (in their order), then the rest: a burst of
// outcome records never pushes a decision, which a request is waiting on before forwarding, into a later batch.
// A caller's promise settles only with its batch: resolved once `commit` resolved (committed), rejected otherwise;
// or, while it still waits in the queue (not yet handed to `commit`), by withdraw(): it then never reaches a batch.

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
  /** Takes an item out of the queue if no batch has taken it yet (true), rejecting its promise with `error`; false
   * once it is in a batch (its promise then settles with the batch). Withdrawn items are compacted away lazily. */
  withdraw(item: I, error: unknown): boolean;
}

interface Waiter<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
  withdrawn?: boolean;
}

/** Batches in flight at once: one writing, one sealing. */
const DEPTH = 2;

/** `commit` MUST resolve only after the batch is durable, with one result per item in order; throwing fails all. */
export function createGroupCommitter<I, O>(
  options: GroupCommitOptions,
  commit: (items: I[], sealed: () => void) => Promise<ItemResult<O>[]>,
  urgent?: (item: I) => boolean,
): GroupCommitter<I, O> {
  let queue: Waiter<I, O>[] = [];
  const queued = new Map<I, Waiter<I, O>>(); // items not yet in a batch: what withdraw() can still take back
  let withdrawn = 0;
  let sealing = false; // a batch has not called sealed() yet: the next one waits
  let running = 0;
  let timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | null = null;
  /** A flush is queued as a microtask (it cannot be cancelled: flush() then finds nothing or a busy committer). */
  let soon = false;
  /** Items in the batch taken last: one means appends arrive one at a time (the next-turn wait would gather none). */
  let lastBatch = 0;
  let idle: (() => void)[] = [];

  const pipelineMin = options.pipelineMin ?? 16;
  const busy = () => sealing || running >= DEPTH || (running > 0 && queue.length < pipelineMin);

  const schedule = () => {
    if (timer !== null || soon || busy() || queue.length === 0) return;
    if (queue.length >= options.maxRecords) return flush();
    if (options.maxWaitMs > 0) timer = setTimeout(flush, options.maxWaitMs);
    else if (lastBatch === 1 && running === 0) {
      // Appends arriving one at a time (measured: 40-90 µs a record at c=1 waited for the turn under load). Under
      // concurrency the last batch held more, and the next-turn flush keeps gathering them (a one-item batch costs
      // the database as much as a much larger one: docs/performance.md, "One request at a time").
      soon = true;
      queueMicrotask(() => {
        soon = false;
        flush();
      });
    } else timer = setImmediate(flush);
  };

  function flush(): void {
    if (timer !== null) {
      clearTimeout(timer as ReturnType<typeof setTimeout>);
      clearImmediate(timer as ReturnType<typeof setImmediate>);
      timer = null;
    }
    if (withdrawn > 0) compact();
    if (busy() || queue.length === 0) return;
    const batch = take();
    lastBatch = batch.length;
    for (const w of batch) queued.delete(w.item);
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
      if (withdrawn > 0) compact();
      if (queue.length > 0) flush();
      else if (running === 0) settleIdle();
    });
  }

  /** The next batch: the first maxRecords items, or, when more wait, the urgent ones first (each group in order). */
  function take(): Waiter<I, O>[] {
    const max = options.maxRecords;
    if (!urgent || queue.length <= max) return queue.splice(0, max);
    const batch: Waiter<I, O>[] = [];
    const rest: Waiter<I, O>[] = [];
    for (const w of queue) (batch.length < max && urgent(w.item) ? batch : rest).push(w);
    const filled = batch.concat(rest.splice(0, max - batch.length));
    queue = rest;
    return filled;
  }

  function settleIdle(): void {
    const resolvers = idle;
    idle = [];
    for (const resolve of resolvers) resolve();
  }

  function compact(): void {
    queue = queue.filter((w) => !w.withdrawn);
    withdrawn = 0;
  }

  async function run(batch: Waiter<I, O>[], release: () => void): Promise<void> {
    let results: ItemResult<O>[];
    try {
      results = await commit(
        batch.map((w) => w.item),
        release,
      );
      if (results.length !== batch.length)
        throw new Error(`commit returned ${results.length} results for ${batch.length} items`);
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
        const waiter = { item, resolve, reject };
        queue.push(waiter);
        queued.set(item, waiter);
        if (queue.length >= options.maxRecords && !busy()) flush();
        else schedule();
      });
    },
    drain() {
      if (withdrawn > 0) compact();
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
    withdraw(item, error) {
      const waiter = queued.get(item);
      if (!waiter) return false;
      queued.delete(item);
      waiter.withdrawn = true;
      withdrawn += 1;
      if (running === 0 || (withdrawn > 64 && withdrawn * 2 > queue.length)) compact();
      if (running === 0 && queue.length === 0) settleIdle();
      waiter.reject(error);
      return true;
    },
  };
}
