import { memoizeConcurrent } from '@memokit/core'

let sequence = 0

/**
 * Hands `result` back through a one-off `memoizeConcurrent` call. Core's `withSignal()`,
 * `forceRefresh()` and `invalidate()` attach to the next memoized call made inside their
 * callback, and throw a usage error when none is made. Invocations answered without one (a
 * cache hit, a payload refused before the network) pass through here, so the pending
 * directive is still taken: `withSignal(signal, () => mlambda.invoke(p))` then behaves like a
 * memoized call (it rejects with the signal's reason on abort) instead of throwing a usage
 * error. The unique key means nothing is ever shared.
 *
 * @internal
 */
export const passThrough: <T>(result: Promise<T>) => Promise<T> = memoizeConcurrent(
  <T>(result: Promise<T>): Promise<T> => result,
  { key: () => String(sequence++) },
)
