import { drain, nextTurn, trackBackground } from './background.js'
import type { CacheEntry, CacheKey } from './cache-entry.js'
import type { CacheStorage } from './cache-storage.js'
import {
  hasPendingDirective,
  raceSignal,
  runWithSignal,
  takeDirective,
  type CallDirective,
} from './call-context.js'
import { cancelTimer, startTimer, type Milliseconds } from './clock.js'
import {
  MutableCacheConfiguration,
  snapshotOf,
  type CacheConfiguration,
  type ConfigurationSnapshot,
} from './configuration.js'
import {
  CachedMethodFailedError,
  KeyDerivationError,
  MethodTimeoutError,
  NotConfiguredCacheCalledError,
  RefreshSupersededError,
  UpdateLockTimeoutError,
  UpdateStatusError,
} from './errors.js'
import {
  CacheEvents,
  emptyStats,
  type CacheEvent,
  type CacheEventListener,
  type CacheEventType,
  type MemoizeStats,
} from './events.js'
import type { MethodReference } from './method-reference.js'
import { SettledValue } from './settled-value.js'
import { InMemoryLocks, type UpdateClaim, type UpdateStatuses } from './update-statuses.js'

/** Keys remembered with a failed background refresh (for `refreshBackoff`); oldest go first. */
const MAX_BACKOFF_KEYS = 10_000

/** Claim attempts (and follow attempts) before a refresh gives up waiting on other processes. */
const MAX_CLAIM_ATTEMPTS = 3

/** The claim could not be taken: another caller (often another process) is refreshing. */
const TAKEN: unique symbol = Symbol('taken')
/** Update statuses failed: compute anyway (fail open) without a claim. */
const UNCLAIMED: unique symbol = Symbol('unclaimed')

/** One refresh of one key, shared by every caller that waits for it. */
class Refresh {
  readonly key: CacheKey
  readonly controller = new AbortController()
  promise!: Promise<CacheEntry>
  claim: UpdateClaim | typeof UNCLAIMED | undefined
  /** Its key was invalidated meanwhile: the result goes to its waiters but is not stored. */
  invalidated = false
  /** Its storage write, while under way: an invalidation lets it land before releasing. */
  offering: Promise<void> | undefined
  /** The value came from another process's refresh: every waiter is a "concurrent" waiter. */
  followed = false
  /** Started by `forceRefresh`: an update another process completed before does not count. */
  forced = false

  constructor(key: CacheKey) {
    this.key = key
  }
}

/** Keys being refreshed per storage, shared by every method using that storage. */
interface StorageActivity {
  readonly refreshing: Map<CacheKey, number>
  /** Keys chosen for eviction while being refreshed; released if their refresh fails. */
  readonly deferredReleases: Set<CacheKey>
}
const activities = new WeakMap<CacheStorage, StorageActivity>()
function activityOf(storage: CacheStorage): StorageActivity {
  let activity = activities.get(storage)
  if (activity === undefined) {
    activity = { refreshing: new Map(), deferredReleases: new Set() }
    activities.set(storage, activity)
  }
  return activity
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/** What a memoized method shares with the outside world: stats, events, invalidation. */
export interface MemoizedControl {
  /** `Class.method` or the function name. */
  readonly name: string
  readonly reference: MethodReference
  stats(): MemoizeStats
  /** Subscribes to this method's events; returns the unsubscribe function. */
  on(listener: CacheEventListener): () => void
  off(listener: CacheEventListener): void
  /** Releases the entry for these arguments (and `self` for instance-scoped keys). */
  invalidate(args: readonly unknown[], self?: unknown): Promise<void>
  /** Resolves when this method's background refreshes and releases have finished. */
  settle(): Promise<void>
}

export interface MemoizedMethodOptions {
  configuration: CacheConfiguration
  updateStatuses?: UpdateStatuses | undefined
}

/**
 * The engine behind one memoized method or function: py-memoize's call algorithm.
 *
 * 1. not configured → `NotConfiguredCacheCalledError`;
 * 2. derive the key, look the entry up (marking it read);
 * 3. no entry or expired → blocking refresh; concurrent callers wait on the one in flight;
 * 4. forced → refresh, or the current value at once if a refresh is already running;
 * 5. stale (past `updateAfter`) → the current value now, plus one background refresh;
 * 6. otherwise → hit. Every value returned goes through postprocessing.
 *
 * Unlike the original, a late result (after a timeout or an invalidation) never overwrites the
 * storage, waiters never receive a missing value, and one caller giving up never affects others.
 *
 * @internal Use `memoize()`; this class is exported for storage and tooling authors.
 */
export class MemoizedMethod implements MemoizedControl {
  readonly reference: MethodReference
  readonly #method: (...args: unknown[]) => unknown
  readonly #configuration: CacheConfiguration
  /** The configuration when it is a MutableCacheConfiguration: its snapshot is cached. */
  readonly #mutable: MutableCacheConfiguration | undefined
  readonly #statuses: UpdateStatuses
  readonly #running = new Map<CacheKey, Refresh>()
  /** Keys whose last background refresh failed, with when the next one may start. */
  readonly #backoff = new Map<CacheKey, number>()
  readonly #background = new Set<Promise<unknown>>()
  readonly #stats = emptyStats()
  readonly #events = new CacheEvents()

  constructor(
    method: (...args: unknown[]) => unknown,
    reference: MethodReference,
    options: MemoizedMethodOptions,
  ) {
    this.#method = method
    this.reference = reference
    this.#configuration = options.configuration
    this.#mutable =
      options.configuration instanceof MutableCacheConfiguration ? options.configuration : undefined
    this.#statuses =
      options.updateStatuses ??
      new InMemoryLocks({ clock: snapshotOf(options.configuration).clock })
  }

  get name(): string {
    return this.reference.qualifiedName
  }

  get configuration(): CacheConfiguration {
    return this.#configuration
  }

  /** Keys with a refresh in flight in this process (for tests and diagnostics). */
  get refreshesInFlight(): number {
    return this.#running.size
  }

  /** Runs one call of the memoized method. */
  call(self: unknown, args: unknown[]): Promise<unknown> {
    const directive = hasPendingDirective() ? takeDirective() : undefined
    const cfg =
      this.#mutable !== undefined ? this.#mutable.snapshot() : snapshotOf(this.#configuration)
    if (!cfg.configured) return Promise.reject(new NotConfiguredCacheCalledError(this.name))
    let key: CacheKey
    try {
      key = cfg.keyExtractor.formatKey(this.reference, args, self)
    } catch (error) {
      return Promise.reject(this.#keyError(error))
    }
    if (directive !== undefined) return this.#directed(cfg, key, self, args, directive)

    // Synchronous fast path: an in-process storage answers hits without a promise hop.
    const storage = cfg.storage
    if (storage.getSync !== undefined) {
      let entry: CacheEntry | undefined
      try {
        entry = storage.getSync(key)
      } catch (error) {
        this.#fault('storage.getSync', key, error) // then ask `get`, as for any sync miss
      }
      if (entry !== undefined) {
        cfg.evictionStrategy.markRead(key)
        const now = cfg.clock.now()
        if (now < entry.updateAfter) {
          this.#stats.hits++
          if (this.#events.active) this.#emit('hit', key)
          return this.#deliver(cfg, entry)
        }
        if (now < entry.expiresAfter) return this.#serveStale(cfg, key, self, args, entry)
        this.#stats.misses++
        if (this.#events.active) this.#emit('miss', key)
        return this.#awaitRefresh(cfg, key, self, args, undefined)
      }
    }
    return this.#lookup(cfg, key, self, args)
  }

  /** Releases the entry a call with these arguments would use. */
  invalidate(args: readonly unknown[], self?: unknown): Promise<void> {
    const cfg = snapshotOf(this.#configuration)
    let key: CacheKey
    try {
      key = cfg.keyExtractor.formatKey(this.reference, args, self)
    } catch (error) {
      return Promise.reject(this.#keyError(error))
    }
    return this.#invalidateKey(cfg, key)
  }

  stats(): MemoizeStats {
    return Object.freeze({ ...this.#stats })
  }

  on(listener: CacheEventListener): () => void {
    return this.#events.on(listener)
  }

  off(listener: CacheEventListener): void {
    this.#events.off(listener)
  }

  settle(): Promise<void> {
    return drain(this.#background)
  }

  // ---------------------------------------------------------------------------------------
  // Lookup and decisions

  async #lookup(
    cfg: ConfigurationSnapshot,
    key: CacheKey,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    const entry = await this.#read(cfg, key)
    const now = cfg.clock.now()
    if (entry === undefined || entry.expiresAfter <= now) {
      this.#stats.misses++
      if (this.#events.active) this.#emit('miss', key)
      return this.#awaitRefresh(cfg, key, self, args, undefined)
    }
    if (entry.updateAfter <= now) return this.#serveStale(cfg, key, self, args, entry)
    this.#stats.hits++
    if (this.#events.active) this.#emit('hit', key)
    return cfg.postprocessing.apply(entry.value)
  }

  /** Reads an entry; a storage that fails to answer counts as a miss (fail open). */
  async #read(cfg: ConfigurationSnapshot, key: CacheKey): Promise<CacheEntry | undefined> {
    let entry: CacheEntry | undefined
    try {
      entry = await cfg.storage.get(key)
    } catch (error) {
      this.#fault('storage.get', key, error)
      return undefined
    }
    if (entry !== undefined) cfg.evictionStrategy.markRead(key)
    return entry
  }

  #serveStale(
    cfg: ConfigurationSnapshot,
    key: CacheKey,
    self: unknown,
    args: unknown[],
    entry: CacheEntry,
  ): Promise<unknown> {
    this.#stats.staleHits++
    if (this.#events.active) this.#emit('stale', key)
    if (!this.#running.has(key) && !this.#backingOff(cfg, key))
      this.#startRefresh(cfg, key, self, args, true)
    return this.#deliver(cfg, entry)
  }

  /** True while `key`'s last background refresh failed less than `refreshBackoff` ago. */
  #backingOff(cfg: ConfigurationSnapshot, key: CacheKey): boolean {
    if (this.#backoff.size === 0) return false
    const retryAt = this.#backoff.get(key)
    if (retryAt === undefined) return false
    if (cfg.clock.now() < retryAt) {
      this.#stats.deferredRefreshes++
      return true
    }
    this.#backoff.delete(key)
    return false
  }

  /** The value of an entry read synchronously, as the caller's promise. */
  #deliver(cfg: ConfigurationSnapshot, entry: CacheEntry): Promise<unknown> {
    if (cfg.passesValuesThrough === true) return SettledValue.of(entry)
    try {
      return Promise.resolve(cfg.postprocessing.apply(entry.value))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Waits for the refresh of `key`, starting it when none is running. */
  #awaitRefresh(
    cfg: ConfigurationSnapshot,
    key: CacheKey,
    self: unknown,
    args: unknown[],
    signal: AbortSignal | undefined,
    forced = false,
  ): Promise<unknown> {
    let refresh = this.#running.get(key)
    const leader = refresh === undefined
    if (refresh === undefined) refresh = this.#startRefresh(cfg, key, self, args, false, forced)
    else this.#stats.joined++
    const joined = refresh
    const result = refresh.promise.then(
      (entry) => cfg.postprocessing.apply(entry.value),
      (error: unknown) => {
        throw this.#callerError(error, leader && !joined.followed)
      },
    )
    return signal === undefined ? result : raceSignal(result, signal)
  }

  #directed(
    cfg: ConfigurationSnapshot,
    key: CacheKey,
    self: unknown,
    args: unknown[],
    directive: CallDirective,
  ): Promise<unknown> {
    if (directive.invalidate) return this.#invalidateKey(cfg, key)
    const result = directive.force
      ? this.#forced(cfg, key, self, args)
      : this.#lookup(cfg, key, self, args)
    return directive.signal === undefined ? result : raceSignal(result, directive.signal)
  }

  async #forced(
    cfg: ConfigurationSnapshot,
    key: CacheKey,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    const entry = await this.#read(cfg, key)
    if (entry !== undefined && cfg.clock.now() < entry.expiresAfter && this.#running.has(key))
      return cfg.postprocessing.apply(entry.value) // a refresh is already running
    if (entry === undefined || entry.expiresAfter <= cfg.clock.now()) {
      this.#stats.misses++
      if (this.#events.active) this.#emit('miss', key)
    }
    return this.#awaitRefresh(cfg, key, self, args, undefined, true)
  }

  // ---------------------------------------------------------------------------------------
  // Refresh

  #startRefresh(
    cfg: ConfigurationSnapshot,
    key: CacheKey,
    self: unknown,
    args: unknown[],
    background: boolean,
    forced = false,
  ): Refresh {
    const refresh = new Refresh(key)
    refresh.forced = forced
    this.#running.set(key, refresh)
    const activity = activityOf(cfg.storage)
    activity.refreshing.set(key, (activity.refreshing.get(key) ?? 0) + 1)
    const run = background
      ? // A background refresh starts on the next turn, after the stale caller got its value.
        nextTurn().then(() => this.#runRefresh(refresh, cfg, self, args))
      : this.#runRefresh(refresh, cfg, self, args)
    refresh.promise = run
    const finished = (succeeded: boolean): void => {
      if (this.#running.get(key) === refresh) this.#running.delete(key)
      if (succeeded) this.#backoff.delete(key)
      else if (background && !refresh.invalidated && cfg.refreshBackoff > 0) {
        this.#backoff.delete(key) // re-inserted last: the map's order is the age order
        if (this.#backoff.size >= MAX_BACKOFF_KEYS)
          this.#backoff.delete(this.#backoff.keys().next().value as CacheKey)
        this.#backoff.set(key, cfg.clock.now() + cfg.refreshBackoff)
      }
      this.#refreshEnded(cfg, key, activity, succeeded)
    }
    run.then(
      () => finished(true),
      () => finished(false),
    )
    if (background) trackBackground(run, this.#background)
    return refresh
  }

  #refreshEnded(
    cfg: ConfigurationSnapshot,
    key: CacheKey,
    activity: StorageActivity,
    succeeded: boolean,
  ): void {
    const left = (activity.refreshing.get(key) ?? 1) - 1
    if (left > 0) activity.refreshing.set(key, left)
    else activity.refreshing.delete(key)
    if (left === 0 && activity.deferredReleases.delete(key) && !succeeded)
      this.#scheduleRelease(cfg, key, false) // it was chosen for eviction; its refresh failed
  }

  async #runRefresh(
    refresh: Refresh,
    cfg: ConfigurationSnapshot,
    self: unknown,
    args: unknown[],
  ): Promise<CacheEntry> {
    for (let attempt = 1; ; attempt++) {
      const claim = await this.#claim(refresh.key, refresh.forced)
      if (claim !== TAKEN) return this.#compute(refresh, cfg, self, args, claim)
      // Another caller (usually another process) is refreshing this key: wait for its result.
      refresh.followed = true
      try {
        return await this.#statuses.awaitUpdated(refresh.key)
      } catch (error) {
        const retry =
          error instanceof UpdateLockTimeoutError ||
          error instanceof RefreshSupersededError ||
          error instanceof UpdateStatusError
        if (!retry || attempt >= MAX_CLAIM_ATTEMPTS) throw error
        // Its lock expired, was superseded, or it ended before we could wait: maybe it stored
        // a fresh entry; otherwise try to take over. A stale entry does not count: it is what a
        // background refresh was started to replace.
        const entry = await this.#read(cfg, refresh.key)
        if (entry !== undefined && cfg.clock.now() < entry.updateAfter) return entry
      }
    }
  }

  async #claim(
    key: CacheKey,
    forced: boolean,
  ): Promise<UpdateClaim | typeof TAKEN | typeof UNCLAIMED> {
    const statuses = this.#statuses
    try {
      if (statuses.tryMarkBeingUpdated !== undefined) {
        const attempt = forced
          ? statuses.tryMarkBeingUpdated(key, { forced: true })
          : statuses.tryMarkBeingUpdated(key)
        const claim = isThenable(attempt) ? await attempt : attempt
        return claim === undefined ? TAKEN : claim
      }
      const busy = statuses.isBeingUpdated(key)
      if (isThenable(busy) ? await busy : busy) return TAKEN
      const marked = statuses.markBeingUpdated(key)
      return isThenable(marked) ? await marked : marked
    } catch (error) {
      this.#fault('updateStatuses', key, error)
      return UNCLAIMED
    }
  }

  async #compute(
    refresh: Refresh,
    cfg: ConfigurationSnapshot,
    self: unknown,
    args: unknown[],
    claim: UpdateClaim | typeof UNCLAIMED,
  ): Promise<CacheEntry> {
    const key = refresh.key
    if (refresh.invalidated && claim !== UNCLAIMED) {
      // Invalidated while claiming: let newer refreshes claim the key; still answer our waiters.
      this.#ended(key, claim, (statuses, c) =>
        statuses.markUpdateAborted(key, new RefreshSupersededError(), c),
      )
      claim = UNCLAIMED
    }
    refresh.claim = claim
    // Taken before the method runs: an invalidation by any process from now on wins.
    const fence = cfg.storage.fence === undefined ? undefined : await this.#fence(cfg, key)
    const started = cfg.clock.now()
    let entry: CacheEntry
    try {
      const value = await this.#invoke(refresh, cfg, self, args)
      entry = cfg.entryBuilder.build(key, value, cfg.clock.now())
    } catch (error) {
      this.#ended(key, claim, (statuses, c) => statuses.markUpdateAborted(key, error, c))
      const timedOut = error instanceof MethodTimeoutError
      this.#stats.refreshFailures++
      if (timedOut) this.#stats.timeouts++
      if (this.#events.active)
        this.#emit(timedOut ? 'timeout' : 'refresh-failed', key, {
          error,
          duration: cfg.clock.now() - started,
        })
      throw error
    }
    // A refresh that outlived its lock does not overwrite what the refresh that took over
    // stored (the check awaits only for asynchronous update statuses).
    const overtaken = this.#overtaken(cfg, key, claim, started)
    const skip = typeof overtaken === 'boolean' ? overtaken : await overtaken
    // Checked right before the write: an invalidation issued earlier wins over this result.
    if (!refresh.invalidated && !skip) {
      try {
        refresh.offering =
          fence === undefined ? cfg.storage.offer(key, entry) : cfg.storage.offer(key, entry, fence)
        await refresh.offering
      } catch (error) {
        // The value is still good: hand it out uncached (fail open).
        this.#fault('storage.offer', key, error)
      }
    }
    this.#ended(key, claim, (statuses, c) => statuses.markUpdated(key, entry, c))
    this.#stats.refreshes++
    if (this.#events.active) this.#emit('refresh', key, { duration: cfg.clock.now() - started })
    if (!refresh.invalidated && !skip) {
      cfg.evictionStrategy.markWritten(key, entry)
      const victim = cfg.evictionStrategy.nextToRelease()
      if (victim !== undefined) this.#scheduleRelease(cfg, victim, true)
    }
    return entry
  }

  /**
   * True when this refresh's claim no longer holds and storage already has an entry computed
   * after the refresh started (by whoever took the key over).
   */
  #overtaken(
    cfg: ConfigurationSnapshot,
    key: CacheKey,
    claim: UpdateClaim | typeof UNCLAIMED,
    started: number,
  ): boolean | Promise<boolean> {
    const statuses = this.#statuses
    if (claim === UNCLAIMED || statuses.holds === undefined) return false
    const newerStored = async (): Promise<boolean> => {
      const current = await this.#read(cfg, key)
      return current !== undefined && current.created > started
    }
    try {
      const held = statuses.holds(key, claim)
      if (!isThenable(held)) return held ? false : newerStored()
      return held.then(
        (still) => (still ? false : newerStored()),
        (error: unknown) => {
          this.#fault('updateStatuses', key, error)
          return false
        },
      )
    } catch (error) {
      this.#fault('updateStatuses', key, error)
      return false
    }
  }

  /** The storage's fence for `key`; a storage that cannot tell leaves the write unfenced. */
  async #fence(cfg: ConfigurationSnapshot, key: CacheKey): Promise<unknown> {
    try {
      const fence = cfg.storage.fence!(key)
      return isThenable(fence) ? await fence : fence
    } catch (error) {
      this.#fault('storage.fence', key, error)
      return undefined
    }
  }

  /** Runs the method under the method timeout, with its AbortSignal in scope. */
  #invoke(
    refresh: Refresh,
    cfg: ConfigurationSnapshot,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timeout: Milliseconds = cfg.methodTimeout
      let settled = false
      let timer: unknown
      const finish = (settle: (value: unknown) => void, value: unknown): void => {
        if (settled) return // a late result after the timeout is dropped, never stored
        settled = true
        if (timer !== undefined) cancelTimer(cfg.clock, timer)
        settle(value)
      }
      if (Number.isFinite(timeout)) {
        timer = startTimer(
          cfg.clock,
          () => {
            const error = new MethodTimeoutError(this.name, timeout)
            finish(reject, error)
            refresh.controller.abort(error)
          },
          timeout,
        )
      }
      let result: unknown
      try {
        result = runWithSignal(refresh.controller.signal, () => this.#method.apply(self, args))
      } catch (error) {
        finish(reject, error)
        return
      }
      Promise.resolve(result).then(
        (value) => finish(resolve, value),
        (error: unknown) => finish(reject, error),
      )
    })
  }

  /** Ends an update in the update statuses, absorbing their faults. */
  #ended(
    key: CacheKey,
    claim: UpdateClaim | typeof UNCLAIMED,
    end: (statuses: UpdateStatuses, claim: UpdateClaim) => unknown,
  ): void {
    if (claim === UNCLAIMED) return
    try {
      const result = end(this.#statuses, claim)
      // Tracked as background work: a serverless handler's settle() must let a remote lock
      // release (and its waiters' notice) go out before the runtime freezes.
      if (isThenable(result))
        trackBackground(
          Promise.resolve(result).then(undefined, (error: unknown) =>
            this.#fault('updateStatuses', key, error),
          ),
          this.#background,
        )
    } catch (error) {
      this.#fault('updateStatuses', key, error)
    }
  }

  #callerError(error: unknown, leader: boolean): CachedMethodFailedError {
    const message = !leader
      ? 'Concurrent refresh failed to complete'
      : error instanceof MethodTimeoutError
        ? 'Refresh timed out'
        : 'Refresh failed to complete'
    return new CachedMethodFailedError(message, { cause: error, method: this.name })
  }

  // ---------------------------------------------------------------------------------------
  // Invalidation and eviction

  async #invalidateKey(cfg: ConfigurationSnapshot, key: CacheKey): Promise<void> {
    const refresh = this.#running.get(key)
    if (refresh !== undefined) {
      // Its waiters still get its result, but it will not be stored, and later callers start
      // a new refresh instead of joining it.
      refresh.invalidated = true
      this.#running.delete(key)
    }
    this.#backoff.delete(key)
    if (refresh?.claim !== undefined)
      this.#ended(key, refresh.claim, (statuses, c) =>
        statuses.markUpdateAborted(key, new RefreshSupersededError(), c),
      )
    cfg.evictionStrategy.markReleased(key)
    this.#stats.invalidations++
    if (this.#events.active) this.#emit('invalidate', key)
    // A write of that refresh already under way must land first: releasing before it would let
    // it bring the invalidated entry back.
    if (refresh?.offering !== undefined) await refresh.offering.then(undefined, () => {})
    await cfg.storage.release(key)
  }

  #scheduleRelease(cfg: ConfigurationSnapshot, key: CacheKey, checkRefreshing: boolean): void {
    // In a microtask, not on the next turn of the event loop: a loop of awaited calls that
    // never yields to the event loop (misses of a fast method) would otherwise grow the storage
    // past its capacity without bound, every release waiting for a turn that never comes.
    const release = Promise.resolve().then(async () => {
      const activity = activityOf(cfg.storage)
      if (checkRefreshing && activity.refreshing.has(key)) {
        activity.deferredReleases.add(key) // released only if that refresh fails
        return
      }
      try {
        await cfg.storage.release(key)
        cfg.evictionStrategy.markReleased(key)
        this.#stats.evictions++
        if (this.#events.active) this.#emit('evict', key)
      } catch (error) {
        this.#fault('storage.release', key, error)
      }
    })
    trackBackground(release, this.#background)
  }

  // ---------------------------------------------------------------------------------------
  // Reporting

  #keyError(error: unknown): KeyDerivationError {
    if (error instanceof KeyDerivationError) return error
    return new KeyDerivationError(
      `the key extractor failed: ${error instanceof Error ? error.message : String(error)}`,
      'keyExtractor',
      { cause: error },
    )
  }

  #fault(source: string, key: CacheKey, error: unknown): void {
    this.#stats.errors++
    if (this.#events.active) this.#emit('error', key, { error, source })
  }

  #emit(
    type: CacheEventType,
    key: CacheKey,
    extra?: Omit<CacheEvent, 'type' | 'method' | 'key'>,
  ): void {
    this.#events.emit({ type, method: this.name, key, ...extra })
  }
}
