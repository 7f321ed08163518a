/** A queue of injected failures: each call to `next()` takes one, if any. */
export class FailurePlan<F> {
  private readonly queue: F[] = [];
  push(failure: F, times = 1): void {
    for (let i = 0; i < times; i++) this.queue.push(failure);
  }
  next(): F | undefined {
    return this.queue.shift();
  }
  clear(): void {
    this.queue.length = 0;
  }
}
