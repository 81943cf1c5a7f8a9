import { MemoizeError } from '@memokit/core'

/**
 * One item is larger than the whole byte budget, so it can never be stored. Raised by
 * `FaasCacheMap.set`, `MemoryCacheStorage.offer` and `resize` before anything else is evicted:
 * nothing is made room for something that cannot fit. (Given to the memoization engine by
 * `offer`, it means the computed value is returned to the caller uncached.)
 */
export class DataTooLargeError extends MemoizeError {
  override readonly name = 'DataTooLargeError'
  readonly code = 'E_DATA_TOO_LARGE'
  /**
   * The estimated size of the item (key + value + per-entry overhead) in bytes. Estimation
   * stops once the budget is exceeded, so this may be a lower bound.
   */
  readonly size: number
  /** The byte budget (`maxSizeBytes`) it was measured against. */
  readonly limit: number

  constructor(size: number, limit: number) {
    super(
      `the item needs at least ${size} bytes (estimated), more than the whole budget of ` +
        `${limit} bytes (maxSizeBytes): it cannot be stored`,
    )
    this.size = size
    this.limit = limit
  }
}

/**
 * A TTL method (`getTtl`, `setTtl`, `expireAt`) was called for a key that has no live entry:
 * it was never set, was removed, or has expired. The key is not part of the message, since
 * keys may hold user data.
 */
export class KeyNotFoundError extends MemoizeError {
  override readonly name = 'KeyNotFoundError'
  readonly code = 'E_KEY_NOT_FOUND'

  constructor(operation: string) {
    super(`${operation}: the key has no live entry (never set, removed, or expired)`)
  }
}
