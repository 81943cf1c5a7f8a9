import { MemoizeError } from '@memokit/core'

/**
 * Redis could not serve an operation. Reads and writes of {@link RedisCacheStorage} never
 * surface it (they fail open: a miss, an uncached value); `release` (invalidation) rejects with
 * it so the caller learns that the entry may still be there. `operation` names what failed
 * (`get`, `offer`, `release`, `claim`, ...); `cause` is the client's error when there is one.
 */
export abstract class RedisFaultError extends MemoizeError {
  readonly operation: string

  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(`Redis ${operation}: ${message}`, options)
    this.operation = operation
  }
}

/**
 * No reply within the operation deadline (`operationTimeout`). The command may still run later:
 * ioredis keeps it queued, and memokit stops waiting for it.
 */
export class RedisTimeoutError extends RedisFaultError {
  override readonly name = 'RedisTimeoutError'
  readonly code = 'E_REDIS_TIMEOUT'
  readonly timeout: number

  constructor(operation: string, timeout: number) {
    super(operation, `no reply within ${timeout} ms`)
    this.timeout = timeout
  }
}

/**
 * Nothing was sent: the client is disconnected (reconnecting, closed) or the circuit breaker is
 * open after repeated faults. Failing at once is what makes a dead Redis cost nothing per call.
 */
export class RedisUnavailableError extends RedisFaultError {
  override readonly name = 'RedisUnavailableError'
  readonly code = 'E_REDIS_UNAVAILABLE'
}

/** The client or the server reported an error (connection reset, OOM, WRONGTYPE, ...). */
export class RedisCommandError extends RedisFaultError {
  override readonly name = 'RedisCommandError'
  readonly code = 'E_REDIS_COMMAND'
}

/**
 * The refresh this process waited for failed in another process. Only the remote error's name,
 * code and message cross the wire; it is the `cause` of the waiter's `CachedMethodFailedError`.
 */
export class RemoteRefreshError extends MemoizeError {
  override readonly name = 'RemoteRefreshError'
  readonly code = 'E_REMOTE_REFRESH_FAILED'
  /** `name` of the error the other process got (e.g. `MethodTimeoutError`). */
  readonly remoteName: string
  /** `code` of that error, when it had a string one. */
  readonly remoteCode: string | undefined

  constructor(remoteName: string, remoteMessage: string, remoteCode?: string) {
    super(`the refresh failed in another process: ${remoteName}: ${remoteMessage}`)
    this.remoteName = remoteName
    this.remoteCode = remoteCode
  }
}
