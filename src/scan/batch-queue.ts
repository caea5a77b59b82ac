/**
 * Collects single requests into batches of a fixed size (1,000 codes a match, 10,000 URLs a lookup) and
 * sends at most `concurrency` batches at once; each caller gets its own answer back. A query already queued
 * or sent and not yet answered is not queued again: its callers share the one answer (a dataset's exact
 * copies, a manifest's repeated URLs cost the registry nothing more). `flush()` sends what is left and resolves
 * when every batch is answered. Callers bound how much they queue (scan.ts keeps a fixed number of items in
 * flight), so queuing itself never waits.
 */
export class BatchQueue<Q, A> {
  private pending: { q: Q; resolve: (a: A) => void; reject: (e: unknown) => void }[] = [];
  private ready: (typeof this.pending)[] = [];
  private running = 0;
  private idle: (() => void)[] = [];
  /** The answer of every query queued or sent and not yet answered. */
  private asked = new Map<Q, Promise<A>>();

  constructor(
    private readonly size: number,
    private readonly concurrency: number,
    private readonly send: (batch: Q[]) => Promise<A[]>,
  ) {}

  /** Queues `q` at once; resolves with its answer once its batch is answered. */
  enqueue(q: Q): Promise<A> {
    const asked = this.asked.get(q);
    if (asked) return asked;
    const answer = new Promise<A>((resolve, reject) => this.pending.push({ q, resolve, reject }));
    this.asked.set(q, answer);
    if (this.pending.length >= this.size) this.cut();
    return answer;
  }

  private cut(): void {
    this.ready.push(this.pending.splice(0, this.size));
    this.pump();
  }

  /** Starts ready batches while there is room; every finished batch pumps again, so none is left waiting. */
  private pump(): void {
    while (this.running < this.concurrency && this.ready.length) {
      const batch = this.ready.shift()!;
      this.running++;
      this.send(batch.map((b) => b.q))
        .then(
          (answers) => batch.forEach((b, i) => b.resolve(answers[i]!)),
          (e: unknown) => batch.forEach((b) => b.reject(e)),
        )
        .then(() => batch.forEach((b) => this.asked.delete(b.q)))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && !this.ready.length) for (const done of this.idle.splice(0)) done();
        });
    }
  }

  flush(): Promise<void> {
    while (this.pending.length) this.cut();
    if (this.running === 0 && !this.ready.length) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }
}
