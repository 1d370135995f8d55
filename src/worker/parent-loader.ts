/**
 * Reads the parents' outcomes of jobs about to run (`ctx.parents`, SPEC §8). Jobs a claim hands
 * out start in the same event-loop turn, so their lookups are merged into one
 * `readParentResults` call per turn: one indexed read per claimed batch, not per job (measured
 * in docs/design.md "Dependencies and batches"). Jobs without parents get an empty list.
 */
import type { ParentResult } from "../core/flows.js";
import type { Store } from "../store/store.js";

interface Waiter {
  id: string;
  resolve: (parents: ParentResult[]) => void;
  reject: (error: unknown) => void;
}

/** See the module header. */
export class ParentLoader {
  private pending: Waiter[] = [];

  constructor(private readonly store: Pick<Store, "readParentResults">) {}

  /** The parents of job `id`, in the order its submission named them. */
  load(id: string): Promise<ParentResult[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const waiters = this.pending;
    this.pending = [];
    try {
      const results = await this.store.readParentResults({ ids: waiters.map((w) => w.id) });
      for (const waiter of waiters) waiter.resolve(results.get(waiter.id) ?? []);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }
}
