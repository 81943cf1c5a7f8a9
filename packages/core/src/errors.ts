/**
 * Every error memokit raises extends {@link MemoizeError} and carries a stable `code`, so callers
 * can branch on `error.code` even when two copies of the package make `instanceof` unreliable.
 * `name` is a literal, so it survives minification.
 */
export abstract class MemoizeError extends Error {
  abstract readonly code: string
}

/** The message of a {@link CachedMethodFailedError}, as in py-memoize. */
export type CachedMethodFailure =
  'Refresh failed to complete' | 'Refresh timed out' | 'Concurrent refresh failed to complete'

/**
 * The memoized method threw or timed out, or the refresh this call waited on failed.
 * `cause` is the original error (a {@link MethodTimeoutError} for timeouts). Failures are never
 * cached: the next call runs the method again.
 */
export class CachedMethodFailedError extends MemoizeError {
  override readonly name = 'CachedMethodFailedError'
  readonly code = 'E_CACHED_METHOD_FAILED'
  declare readonly message: CachedMethodFailure
  /** `Class.method` or the function name; never argument values. */
  readonly method: string

  constructor(message: CachedMethodFailure, options: { cause: unknown; method?: string }) {
    super(message, { cause: options.cause })
    this.method = options.method ?? ''
  }
}

/** The memoized method ran longer than the configured method timeout. Used as a `cause`. */
export class MethodTimeoutError extends MemoizeError {
  override readonly name = 'MethodTimeoutError'
  readonly code = 'E_METHOD_TIMEOUT'
  readonly timeout: number

  constructor(method: string, timeout: number) {
    super(`${method || 'memoized method'} did not complete within ${timeout} ms`)
    this.timeout = timeout
  }
}

/** A memoized method was called while its configuration reports `configured() === false`. */
export class NotConfiguredCacheCalledError extends MemoizeError {
  override readonly name = 'NotConfiguredCacheCalledError'
  readonly code = 'E_NOT_CONFIGURED'

  constructor(method: string) {
    super(
      `${method || 'memoized method'} was called while its cache configuration is not configured ` +
        '(configured() returned false)',
    )
  }
}

/**
 * No cache key can be derived from the arguments: a function, a symbol, a cycle, a class
 * instance without a `[cacheKey]()` method, or an argument over the size limits. The call's
 * promise rejects with it and the method never runs.
 */
export class KeyDerivationError extends MemoizeError {
  override readonly name = 'KeyDerivationError'
  readonly code = 'E_KEY_DERIVATION'
  /** Where in the arguments the problem is, e.g. `args[0].items[3]`. */
  readonly path: string

  constructor(message: string, path: string, options?: { cause?: unknown }) {
    super(`${message} (at ${path})`, options)
    this.path = path
  }
}

/** A constructor or setter was given an impossible value. Thrown at configuration time. */
export class InvalidConfigurationError extends MemoizeError {
  override readonly name = 'InvalidConfigurationError'
  readonly code = 'E_INVALID_CONFIGURATION'
}

/** memokit was used in a way it cannot honour (e.g. `forceRefresh` around a non-memoized call). */
export class MemoizeUsageError extends MemoizeError {
  override readonly name = 'MemoizeUsageError'
  readonly code = 'E_USAGE'
}

/** An `InvalidationSupport` was used before being passed to `memoize()`. */
export class InvalidationNotBoundError extends MemoizeError {
  override readonly name = 'InvalidationNotBoundError'
  readonly code = 'E_INVALIDATION_NOT_BOUND'

  constructor() {
    super('Uninitialized: InvalidationSupport should be passed to memoize() to have it initialized')
  }
}

/** An update-status operation was called out of order (py-memoize's ValueError). */
export class UpdateStatusError extends MemoizeError {
  override readonly name = 'UpdateStatusError'
  readonly code = 'E_UPDATE_STATUS'
}

/**
 * Waiters on another caller's refresh gave up because its lock outlived `updateLockTimeout`.
 * Waiters then retry the refresh themselves; they never receive a missing value.
 */
export class UpdateLockTimeoutError extends MemoizeError {
  override readonly name = 'UpdateLockTimeoutError'
  readonly code = 'E_UPDATE_LOCK_TIMEOUT'
}

/** A refresh was abandoned (its key was invalidated) before it completed; waiters retry. */
export class RefreshSupersededError extends MemoizeError {
  override readonly name = 'RefreshSupersededError'
  readonly code = 'E_REFRESH_SUPERSEDED'

  constructor() {
    super('The refresh was superseded by an invalidation of its key')
  }
}

/** Serialized data could not be decoded into a cache entry. Storages treat it as a miss. */
export class SerDeError extends MemoizeError {
  override readonly name = 'SerDeError'
  readonly code = 'E_SERDE'
}
