import { callable } from './callable.js'
import { deepCopy } from './deep-copy.js'

/**
 * Transforms every value a memoized call returns: first computations, hits, stale values, and
 * each concurrent waiter separately.
 */
export interface Postprocessing {
  apply<T>(value: T): T
}

/** Returns values as stored (the default). Callers share one object: do not mutate it. */
class NoPostprocessingImpl implements Postprocessing {
  apply<T>(value: T): T {
    return value
  }
}
export const NoPostprocessing = callable(NoPostprocessingImpl)
export type NoPostprocessing = NoPostprocessingImpl

/**
 * Returns a deep copy of every value, so callers may mutate what they get without touching the
 * cache (see `deepCopy` for what is copied). Costs a full copy per call.
 */
class DeepcopyPostprocessingImpl implements Postprocessing {
  apply<T>(value: T): T {
    return deepCopy(value)
  }
}
export const DeepcopyPostprocessing = callable(DeepcopyPostprocessingImpl)
export type DeepcopyPostprocessing = DeepcopyPostprocessingImpl
