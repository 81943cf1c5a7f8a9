/**
 * Background work (refreshes started by stale reads, evictions) runs without a caller waiting
 * for it. It is tracked here so serverless handlers can await it before returning: a frozen
 * runtime would otherwise never finish it.
 */
const pending = new Set<Promise<unknown>>()

/** @internal Tracks a background promise; it never causes an unhandled rejection. */
export function trackBackground(work: Promise<unknown>, alsoIn?: Set<Promise<unknown>>): void {
  pending.add(work)
  alsoIn?.add(work)
  const done = (): void => {
    pending.delete(work)
    alsoIn?.delete(work)
  }
  work.then(done, done)
}

/** @internal Waits for the tracked work, including work that work started, until none is left. */
export async function drain(set: Set<Promise<unknown>>): Promise<void> {
  for (let round = 0; round < 1000 && set.size > 0; round++) {
    await Promise.allSettled([...set])
  }
}

/**
 * Resolves when every background refresh and release started so far (and anything they start)
 * has finished. Call it before a serverless handler returns. Never rejects: background failures
 * are reported through events and stats.
 */
export function settle(): Promise<void> {
  return drain(pending)
}

/** @internal Resolves on the next turn of the event loop, after pending I/O callbacks. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
