/**
 * Collects single requests into batches of a fixed size (1,000 codes a match, 10,000 URLs a lookup) and
 * sends at most `concurrency` batches at once; each caller gets its own answer back. `flush()` sends what
 * is left.
 */
export class BatchQueue<Q, A> {
  private pending: { q: Q; resolve: (a: A) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;
  private waiting: (() => void)[] = [];
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly size: number,
    private readonly concurrency: number,
    private readonly send: (batch: Q[]) => Promise<A[]>,
  ) {}

  /** Queues `q` at once; resolves with its answer once its batch is answered. */
  async enqueue(q: Q): Promise<A> {
    const answer = new Promise<A>((resolve, reject) => this.pending.push({ q, resolve, reject }));
    if (this.pending.length >= this.size) await this.dispatch();
    return answer;
  }

  private async dispatch(): Promise<void> {
    while (this.running >= this.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    const batch = this.pending.splice(0, this.size);
    if (!batch.length) return;
    this.running++;
    const p = (async () => {
      try {
        const answers = await this.send(batch.map((b) => b.q));
        batch.forEach((b, i) => b.resolve(answers[i]!));
      } catch (e) {
        batch.forEach((b) => b.reject(e));
      } finally {
        this.running--;
        this.waiting.shift()?.();
      }
    })();
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  async flush(): Promise<void> {
    while (this.pending.length) await this.dispatch();
    await Promise.all([...this.inFlight]);
  }
}
