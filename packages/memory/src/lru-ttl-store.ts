import { InvalidConfigurationError, type Clock, type TimerHandle } from '@memokit/core'
import { DataTooLargeError } from './errors.js'
import { ExpiryQueue, NOT_QUEUED, type Expiring } from './expiry-queue.js'
import { SIZE_MODEL, estimateByteSize } from './size-estimate.js'

/**
 * Why an entry ended, as told to `onDelete`:
 * - `'delete'`: removed by the caller (`delete`, or a storage `release`);
 * - `'evict'`: removed to make room (byte budget or item limit), least recently used first;
 * - `'expire'`: its TTL ran out (found on a read, by a purge, or by the background timer);
 * - `'clear'`: removed by `clear()`.
 */
export type RemovalReason = 'delete' | 'evict' | 'expire' | 'clear'

/** Called once for every entry that leaves the store, after the store is consistent again. */
export type OnDelete<K, V> = (key: K, value: V, reason: RemovalReason) => void

/** @internal One stored entry: a node of the LRU list and of the expiry queue. */
export class StoreNode<K, V> implements Expiring {
  key: K
  value: V
  /** Bytes counted for this entry when it was written (or last resized). */
  size: number
  /** Epoch ms; `Infinity` when the entry never expires. */
  expiresAt: number
  queueSlot = NOT_QUEUED
  laneEarlier: StoreNode<K, V> | undefined = undefined
  laneLater: StoreNode<K, V> | undefined = undefined
  /** Towards the least recently used end. */
  prev: StoreNode<K, V> | undefined = undefined
  /** Towards the most recently used end. */
  next: StoreNode<K, V> | undefined = undefined

  constructor(key: K, value: V, size: number, expiresAt: number) {
    this.key = key
    this.value = value
    this.size = size
    this.expiresAt = expiresAt
  }
}

/** @internal */
export interface StoreOptions<K, V> {
  /** `Infinity` for no limit. */
  maxSizeBytes: number
  /** `Infinity` for no limit. */
  maxItems: number
  clock: Clock
  /** Purge period in ms, or `false`. */
  purgeInterval: number | false
  onDelete?: OnDelete<K, V> | undefined
  onError?: ((error: unknown) => void) | undefined
  /** Replaces the size estimate of key + value (the per-entry overhead is added to it). */
  sizeCalculation?: ((key: K, value: V) => number) | undefined
  /** Bytes counted per entry beyond key and value. @default SIZE_MODEL.entryOverhead */
  entryOverhead?: number | undefined
  /** Names the owner in warnings. */
  name: string
}

/**
 * The engine shared by `FaasCacheMap` and `MemoryCacheStorage`: a hash index over a doubly
 * linked list in LRU order (least recently used at the head), a queue of expiry instants
 * (`ExpiryQueue`), a running byte total, and the removal notifications.
 *
 * Costs: a read is a hash lookup, an expiry check and at most one pointer splice: O(1). A
 * write measures the written key and value once (O(size of the value); nothing is measured
 * again later) and is otherwise O(1) when expiries arrive in order per TTL (any fixed TTL on
 * a forward-moving clock), O(log n) for out-of-order expiries. Making room purges every
 * expired entry first, then evicts from the LRU end; each entry is removed at most once, so
 * that work is amortized over the writes that stored the entries.
 *
 * @internal
 */
export class LruTtlStore<K, V> {
  readonly #index = new Map<K, StoreNode<K, V>>()
  readonly #expiries = new ExpiryQueue<StoreNode<K, V>>()
  readonly #clock: Clock
  readonly #purgeInterval: number | false
  readonly #onDelete: OnDelete<K, V> | undefined
  readonly #onError: ((error: unknown) => void) | undefined
  readonly #sizeCalculation: ((key: K, value: V) => number) | undefined
  readonly #entryOverhead: number
  readonly #name: string
  readonly #self = new WeakRef<LruTtlStore<K, V>>(this)
  #head: StoreNode<K, V> | undefined = undefined
  #tail: StoreNode<K, V> | undefined = undefined
  #bytes = 0
  #maxBytes: number
  #maxItems: number
  /** Removals not yet told to `onDelete`: key, value, reason, key, value, reason, ... */
  readonly #removed: unknown[] = []
  #notifying = false
  #warned = false
  #timer: TimerHandle = undefined
  #closed = false

  constructor(options: StoreOptions<K, V>) {
    this.#maxBytes = options.maxSizeBytes
    this.#maxItems = options.maxItems
    this.#clock = options.clock
    this.#purgeInterval = options.purgeInterval
    this.#onDelete = options.onDelete
    this.#onError = options.onError
    this.#sizeCalculation = options.sizeCalculation
    this.#entryOverhead = options.entryOverhead ?? SIZE_MODEL.entryOverhead
    this.#name = options.name
  }

  /** Entries held, including expired ones not purged yet. */
  get count(): number {
    return this.#index.size
  }

  /** Bytes counted for the entries held, including expired ones not purged yet. */
  get bytes(): number {
    return this.#bytes
  }

  get maxBytes(): number {
    return this.#maxBytes
  }

  get maxItems(): number {
    return this.#maxItems
  }

  now(): number {
    return this.#clock.now()
  }

  /** The live entry for `key`; an expired one is removed. `touch` makes it most recently used. */
  find(key: K, touch: boolean): StoreNode<K, V> | undefined {
    const node = this.#index.get(key)
    if (node === undefined) return undefined
    if (node.expiresAt !== Infinity && node.expiresAt <= this.#clock.now()) {
      this.#unlink(node, 'expire')
      this.#notify()
      return undefined
    }
    if (touch && node !== this.#tail) {
      this.#detach(node)
      this.#append(node)
    }
    return node
  }

  /** The entry for `key` as held, expired or not, without side effects. */
  peekNode(key: K): StoreNode<K, V> | undefined {
    return this.#index.get(key)
  }

  /**
   * Stores `value` under `key` as the most recently used entry, expiring at `expiresAt`.
   *
   * @throws DataTooLargeError when key + value alone exceed the byte budget (nothing changes)
   */
  write(key: K, value: V, expiresAt: number): void {
    const size = this.#measure(key, value)
    if (size > this.#maxBytes) throw new DataTooLargeError(size, this.#maxBytes)
    let node = this.#index.get(key)
    if (node !== undefined && node.expiresAt !== Infinity && node.expiresAt <= this.#clock.now()) {
      this.#unlink(node, 'expire') // writing to an expired key stores a new entry
      node = undefined
    }
    if (node !== undefined) {
      // Overwriting is not an insertion: it never evicts for the item limit, and evicts other
      // entries by bytes only when the new value is larger than what is left of the budget.
      this.#bytes += size - node.size
      node.value = value
      node.size = size
      this.#retime(node, expiresAt)
      if (node !== this.#tail) {
        this.#detach(node)
        this.#append(node)
      }
      this.#makeRoom(0, 0, node)
    } else {
      this.#makeRoom(1, size, undefined)
      node = new StoreNode(key, value, size, expiresAt)
      this.#index.set(key, node)
      this.#append(node)
      this.#bytes += size
      if (expiresAt !== Infinity) this.#expiries.add(node)
    }
    this.#armPurge()
    this.#notify()
  }

  /** Removes the entry for `key`; false when there was none (or only an expired one). */
  remove(key: K, reason: RemovalReason): boolean {
    const node = this.#index.get(key)
    if (node === undefined) return false
    const expired = node.expiresAt !== Infinity && node.expiresAt <= this.#clock.now()
    this.#unlink(node, expired ? 'expire' : reason)
    this.#notify()
    return !expired
  }

  /** Removes every entry (expired ones are reported as `'expire'`). */
  clear(): void {
    const now = this.#clock.now()
    if (this.#onDelete !== undefined) {
      for (let node = this.#head; node !== undefined; node = node.next)
        this.#removed.push(node.key, node.value, node.expiresAt <= now ? 'expire' : 'clear')
    }
    this.#index.clear()
    this.#expiries.clear()
    this.#head = this.#tail = undefined
    this.#bytes = 0
    this.#notify()
  }

  /** Removes every expired entry; returns how many. */
  purgeExpired(): number {
    const purged = this.#purge()
    this.#notify()
    return purged
  }

  /** Sets the expiry of a live entry without changing its LRU position. */
  retime(node: StoreNode<K, V>, expiresAt: number): void {
    this.#retime(node, expiresAt)
    this.#armPurge()
  }

  /**
   * Measures a live entry again (its value was changed in place) and makes room if it grew.
   *
   * @throws DataTooLargeError when it alone now exceeds the byte budget: it is evicted first
   */
  resize(node: StoreNode<K, V>): number {
    const size = this.#measure(node.key, node.value)
    if (size > this.#maxBytes) {
      this.#unlink(node, 'evict')
      this.#notify()
      throw new DataTooLargeError(size, this.#maxBytes)
    }
    this.#bytes += size - node.size
    node.size = size
    this.#makeRoom(0, 0, node)
    this.#notify()
    return size
  }

  /** Changes the byte budget (`Infinity` for none), evicting to fit. */
  setMaxBytes(maxBytes: number): void {
    this.#maxBytes = maxBytes
    this.#makeRoom(0, 0, undefined)
    this.#notify()
  }

  /** Changes the item limit (`Infinity` for none), evicting to fit. */
  setMaxItems(maxItems: number): void {
    this.#maxItems = maxItems
    this.#makeRoom(0, 0, undefined)
    this.#notify()
  }

  /**
   * The live entries, least recently used first, after purging expired ones. A copy: callers
   * iterate it while the store changes, and skip nodes for which {@link isCurrent} is false.
   */
  snapshot(): StoreNode<K, V>[] {
    this.purgeExpired()
    const nodes: StoreNode<K, V>[] = []
    for (let node = this.#head; node !== undefined; node = node.next) nodes.push(node)
    return nodes
  }

  /** True while `node` is still the live entry of its key. */
  isCurrent(node: StoreNode<K, V>): boolean {
    return (
      this.#index.get(node.key) === node &&
      (node.expiresAt === Infinity || node.expiresAt > this.#clock.now())
    )
  }

  /** Stops the background purge for good (expired entries are still dropped when found). */
  close(): void {
    this.#closed = true
    this.#disarmPurge()
  }

  /** Run by the purge timer. */
  purgeTick(): void {
    this.#timer = undefined
    this.purgeExpired()
    this.#armPurge()
  }

  // ---------------------------------------------------------------------------------------

  #measure(key: K, value: V): number {
    if (this.#sizeCalculation !== undefined) {
      const size = this.#sizeCalculation(key, value)
      if (typeof size !== 'number' || !Number.isFinite(size) || size < 0)
        throw new InvalidConfigurationError(
          `sizeCalculation must return a finite number of bytes >= 0; got ${String(size)}`,
        )
      return this.#entryOverhead + Math.ceil(size)
    }
    const limit = this.#maxBytes
    const keyBytes = estimateByteSize(key, limit)
    return this.#entryOverhead + keyBytes + estimateByteSize(value, limit - keyBytes)
  }

  /** Purges expired entries and evicts least recently used ones until `extra` more fits. */
  #makeRoom(extraItems: number, extraBytes: number, keep: StoreNode<K, V> | undefined): void {
    if (!this.#over(extraItems, extraBytes)) return
    this.#purge()
    let victim = this.#head
    while (victim !== undefined && this.#over(extraItems, extraBytes)) {
      const next = victim.next
      if (victim !== keep) this.#unlink(victim, 'evict')
      victim = next
    }
  }

  #over(extraItems: number, extraBytes: number): boolean {
    return (
      this.#index.size + extraItems > this.#maxItems || this.#bytes + extraBytes > this.#maxBytes
    )
  }

  #purge(): number {
    if (this.#expiries.size === 0) return 0
    const now = this.#clock.now()
    let purged = 0
    for (let first = this.#expiries.peek(); first !== undefined && first.expiresAt <= now;) {
      this.#unlink(first, 'expire')
      purged++
      first = this.#expiries.peek()
    }
    return purged
  }

  #retime(node: StoreNode<K, V>, expiresAt: number): void {
    const queued = node.queueSlot !== NOT_QUEUED
    node.expiresAt = expiresAt
    if (expiresAt === Infinity) {
      if (queued) this.#expiries.remove(node)
    } else if (queued) this.#expiries.update(node)
    else this.#expiries.add(node)
  }

  #unlink(node: StoreNode<K, V>, reason: RemovalReason): void {
    this.#index.delete(node.key)
    this.#expiries.remove(node)
    this.#detach(node)
    this.#bytes -= node.size
    if (this.#onDelete !== undefined) this.#removed.push(node.key, node.value, reason)
  }

  #detach(node: StoreNode<K, V>): void {
    const { prev, next } = node
    if (prev === undefined) this.#head = next
    else prev.next = next
    if (next === undefined) this.#tail = prev
    else next.prev = prev
    node.prev = node.next = undefined
  }

  #append(node: StoreNode<K, V>): void {
    const tail = this.#tail
    node.prev = tail
    node.next = undefined
    if (tail === undefined) this.#head = node
    else tail.next = node
    this.#tail = node
  }

  /**
   * Tells `onDelete` about removals, in order, once the store is consistent. A removal caused
   * from inside a callback is queued and told after the current one returns.
   */
  #notify(): void {
    const removed = this.#removed
    if (this.#notifying || removed.length === 0) return
    const onDelete = this.#onDelete as OnDelete<K, V>
    this.#notifying = true
    try {
      for (let i = 0; i < removed.length; i += 3) {
        try {
          onDelete(removed[i] as K, removed[i + 1] as V, removed[i + 2] as RemovalReason)
        } catch (error) {
          this.#report(error)
        }
      }
    } finally {
      removed.length = 0
      this.#notifying = false
    }
  }

  #report(error: unknown): void {
    if (this.#onError !== undefined) {
      try {
        this.#onError(error)
      } catch {
        // The error hook failing too must not break the store either.
      }
      return
    }
    if (this.#warned) return
    this.#warned = true
    const message = error instanceof Error ? error.message : String(error)
    process.emitWarning(
      `${this.#name}: onDelete threw (${message}); the error was swallowed. ` +
        'Pass onError to handle these errors (this warning is shown once per store).',
      { code: 'MEMOKIT_ON_DELETE_FAILED' },
    )
  }

  #armPurge(): void {
    if (
      this.#timer !== undefined ||
      this.#closed ||
      this.#purgeInterval === false ||
      this.#expiries.size === 0
    )
      return
    this.#timer = startPurgeTimer(this.#self, this.#clock, this.#purgeInterval)
  }

  #disarmPurge(): void {
    const timer = this.#timer
    if (timer === undefined) return
    this.#timer = undefined
    if (this.#clock.setTimer !== undefined) this.#clock.clearTimer?.(timer)
    else clearTimeout(timer as ReturnType<typeof setTimeout>)
  }
}

/**
 * Schedules one purge. The callback holds only a weak reference to the store, so a pending
 * timer never keeps an otherwise unreachable store alive, and real timers are unref'd, so it
 * never keeps the process alive either.
 */
function startPurgeTimer(
  store: WeakRef<{ purgeTick(): void }>,
  clock: Clock,
  delay: number,
): TimerHandle {
  const tick = (): void => store.deref()?.purgeTick()
  const handle =
    clock.setTimer !== undefined ? clock.setTimer(tick, delay) : setTimeout(tick, delay)
  ;(handle as { unref?: () => unknown } | null)?.unref?.()
  return handle
}
