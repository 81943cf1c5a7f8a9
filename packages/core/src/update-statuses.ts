import type { CacheEntry, CacheKey } from './cache-entry.js'
import { callable } from './callable.js'
import {
  cancelTimer,
  minutes,
  startTimer,
  systemClock,
  type Clock,
  type Milliseconds,
} from './clock.js'
import { UpdateLockTimeoutError, UpdateStatusError } from './errors.js'
import { requireDuration, requireMethods, requireOptions } from './validate.js'

/** A value or a promise of it: in-process implementations answer synchronously. */
export type MaybePromise<T> = T | Promise<T>

/** Opaque proof of having claimed an update; passed back when the update ends. */
export type UpdateClaim = string | number | symbol | object

/**
 * Tracks which keys are being refreshed so concurrent callers wait for one refresh instead of
 * starting their own (dog-pile protection). In-process by default ({@link InMemoryLocks});
 * `RedisUpdateStatuses` extends it across processes.
 *
 * The engine claims with {@link tryMarkBeingUpdated} when present (it must be atomic:
 * implementations that answer asynchronously have to provide it), else with
 * `isBeingUpdated` + `markBeingUpdated`. A claim is passed back to `markUpdated` /
 * `markUpdateAborted`; an outdated claim (its lock timed out or was superseded) is ignored, so a
 * late refresh can never complete someone else's update.
 */
/** How the engine claims an update. */
export interface ClaimOptions {
  /**
   * The refresh was forced (`forceRefresh`): an update that has already completed must not
   * stand in for it (one still running may: the forced call joins it, as in one process).
   */
  readonly forced?: boolean
}

export interface UpdateStatuses {
  isBeingUpdated(key: CacheKey): MaybePromise<boolean>
  /** Claims the update of `key`; throws {@link UpdateStatusError} when it is already claimed. */
  markBeingUpdated(key: CacheKey): MaybePromise<UpdateClaim>
  /** Ends the update with its new entry and hands it to every waiter. */
  markUpdated(key: CacheKey, entry: CacheEntry, claim?: UpdateClaim): MaybePromise<void>
  /** Ends the update with an error; every waiter's `awaitUpdated` rejects with it. */
  markUpdateAborted(key: CacheKey, error: unknown, claim?: UpdateClaim): MaybePromise<void>
  /**
   * Resolves with the entry of the update in progress, or rejects with its error. Rejects with
   * {@link UpdateStatusError} when no update is in progress.
   */
  awaitUpdated(key: CacheKey): Promise<CacheEntry>
  /** Atomic claim: resolves to a claim, or `undefined` when someone else holds the update. */
  tryMarkBeingUpdated?(key: CacheKey, options?: ClaimOptions): MaybePromise<UpdateClaim | undefined>
  /**
   * True while `claim` still holds the update of `key` (its lock has not timed out or been
   * superseded). When it no longer does, the engine stores the refresh's result only if no
   * entry computed since the refresh started is in storage: a refresh that outlived its lock
   * never overwrites the value of the refresh that took over.
   */
  holds?(key: CacheKey, claim: UpdateClaim): MaybePromise<boolean>
}

export interface InMemoryLocksOptions {
  /**
   * How long an update may hold its key. When it runs out, waiters are released with
   * {@link UpdateLockTimeoutError} (they retry the refresh; they never get a missing value) and
   * the key can be claimed again. Keep it above the method timeout. @default 5 minutes
   */
  updateLockTimeout?: Milliseconds
  /** @default systemClock */
  clock?: Clock
}

interface Update {
  readonly claim: object
  readonly promise: Promise<CacheEntry>
  resolve(entry: CacheEntry): void
  reject(error: unknown): void
  timer: unknown
}

/** Update statuses held in this process's memory. */
class InMemoryLocksImpl implements UpdateStatuses {
  readonly updateLockTimeout: Milliseconds
  readonly #clock: Clock
  readonly #updates = new Map<CacheKey, Update>()

  constructor(options?: InMemoryLocksOptions) {
    options = requireOptions('InMemoryLocks', options)
    this.updateLockTimeout = requireDuration(
      'updateLockTimeout',
      options.updateLockTimeout ?? minutes(5),
      true,
    )
    this.#clock =
      options.clock === undefined ? systemClock : requireMethods('clock', options.clock, ['now'])
  }

  isBeingUpdated(key: CacheKey): boolean {
    return this.#updates.has(key)
  }

  markBeingUpdated(key: CacheKey): UpdateClaim {
    const claim = this.tryMarkBeingUpdated(key)
    if (claim === undefined) throw new UpdateStatusError('The key is already being updated')
    return claim
  }

  tryMarkBeingUpdated(key: CacheKey): UpdateClaim | undefined {
    if (this.#updates.has(key)) return undefined
    let resolve!: (entry: CacheEntry) => void
    let reject!: (error: unknown) => void
    const promise = new Promise<CacheEntry>((res, rej) => {
      resolve = res
      reject = rej
    })
    promise.catch(() => {}) // an abort with nobody waiting is not an unhandled rejection
    const update: Update = { claim: {}, promise, resolve, reject, timer: undefined }
    if (Number.isFinite(this.updateLockTimeout)) {
      update.timer = startTimer(
        this.#clock,
        () => this.#expire(key, update),
        this.updateLockTimeout,
      )
      ;(update.timer as { unref?: () => void } | undefined)?.unref?.()
    }
    this.#updates.set(key, update)
    return update.claim
  }

  markUpdated(key: CacheKey, entry: CacheEntry, claim?: UpdateClaim): void {
    const update = this.#end(key, claim)
    update?.resolve(entry)
  }

  markUpdateAborted(key: CacheKey, error: unknown, claim?: UpdateClaim): void {
    const update = this.#end(key, claim)
    update?.reject(error)
  }

  holds(key: CacheKey, claim: UpdateClaim): boolean {
    return this.#updates.get(key)?.claim === claim
  }

  awaitUpdated(key: CacheKey): Promise<CacheEntry> {
    const update = this.#updates.get(key)
    if (update === undefined)
      return Promise.reject(new UpdateStatusError('The key is not being updated'))
    return update.promise
  }

  /** Number of keys being updated. */
  get size(): number {
    return this.#updates.size
  }

  #end(key: CacheKey, claim: UpdateClaim | undefined): Update | undefined {
    const update = this.#updates.get(key)
    if (update === undefined || (claim !== undefined && update.claim !== claim)) {
      // A refresh whose lock expired or was superseded finishing late: not an error.
      if (claim !== undefined) return undefined
      throw new UpdateStatusError('The key is not being updated')
    }
    this.#updates.delete(key)
    if (update.timer !== undefined) cancelTimer(this.#clock, update.timer)
    return update
  }

  #expire(key: CacheKey, update: Update): void {
    if (this.#updates.get(key) !== update) return
    this.#updates.delete(key)
    update.reject(
      new UpdateLockTimeoutError(
        `The update held its lock longer than updateLockTimeout (${this.updateLockTimeout} ms)`,
      ),
    )
  }
}
export const InMemoryLocks = callable(InMemoryLocksImpl)
export type InMemoryLocks = InMemoryLocksImpl
