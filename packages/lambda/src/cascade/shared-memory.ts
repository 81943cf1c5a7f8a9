import { InvalidConfigurationError, MemoizeUsageError } from '@memokit/core'
import { callable } from '../callable.js'
import { resolveCascade, runningStep } from './current.js'
import { checkUid, describe, newUid } from './ids.js'
import type { LambdaCascade } from './lambda-cascade.js'

/** Options of a {@link SharedMemory} page. */
export interface SharedMemoryOptions {
  /** The page to open; a new page (a random uid) when left out. */
  uid?: string
  /** How long the page lives after its last write, in ms. @default the cascade's `ttl` */
  ttl?: number
}

/**
 * The attribute-style view of a page: `await memory.vars.name` reads `name` (after the page's
 * pending writes), typed `Promise<V[K]>`.
 *
 * The view also takes assignments at run time (`memory.vars.name = value`, the original's
 * style, for JavaScript callers): the write starts at once and `flush()` reports its failure.
 * Its TypeScript type is read-only on purpose: a mapped type cannot make a property a promise
 * when read and a plain value when written, and typing it `V[K] | Promise<V[K]>` would let
 * TypeScript narrow a just-assigned property to `V[K]` while it actually holds a promise. In
 * TypeScript, write with `await memory.set(name, value)`.
 */
export type SharedMemoryVars<V extends object> = {
  readonly [K in keyof V]: Promise<V[K]>
}

const MAX_NAME = 1_024

/**
 * A page of memory shared by Lambdas through Redis: every value lives under the page's uid
 * (never a global key), the page expires `ttl` ms after its last write, and any process that
 * knows the uid can read it. Values round-trip with their types (`Date`, `Map`, `Set`,
 * `BigInt`, `undefined`, nested objects) through the cascade's SerDe.
 *
 * ```ts
 * const memory = SharedMemory()                 // a new page
 * await memory.set('progress', { done: 3, of: 10 })
 * await memory.set('startedAt', new Date())
 *
 * const other = SharedMemory(memory.uid)        // in another Lambda
 * await other.get('progress')                   // { done: 3, of: 10 }
 * await other.vars.startedAt                    // attribute style: a Date
 * ```
 *
 * Redis is asynchronous, so the original's `memory.some_variable` cannot be a plain property:
 * item access is `await get(name)` / `await set(name, value)`, and `vars` is the attribute
 * view whose reads are promises (see {@link SharedMemoryVars}; JavaScript may also assign
 * through it: such writes start at once, stay in order, and `flush()` reports their
 * failures). Every read waits for the page's pending writes first, and a step's handler
 * flushes every page opened during the step before it stores the step's result.
 *
 * Data that is not what the cascade wrote (garbage, a value copied from another key, a
 * `__proto__` key, over `maxValueBytes`) is never decoded: `get` rejects with
 * `CorruptCascadeDataError`.
 */
class SharedMemoryImpl<V extends object = Record<string, unknown>> {
  /** The page's uid: pass it to another Lambda to share the page. */
  readonly uid: string
  /** How long the page lives after its last write, in ms. */
  readonly ttl: number
  /** The attribute-style view (see {@link SharedMemoryVars}). */
  readonly vars: SharedMemoryVars<V>
  readonly #cascade: LambdaCascade
  readonly #key: string
  readonly #pending = new Set<Promise<void>>()
  #errors: unknown[] = []

  /**
   * Opens page `uid` (or a new one). Without a bound cascade it uses the cascade running the
   * current step, else the default one (`configureLambdaCascade`), else throws
   * `CascadeNotConfiguredError`.
   */
  constructor(options?: string | SharedMemoryOptions, cascade?: LambdaCascade) {
    const settings: SharedMemoryOptions =
      typeof options === 'string' ? { uid: options } : (options ?? {})
    if (settings === null || typeof settings !== 'object')
      throw new InvalidConfigurationError(
        `SharedMemory takes a uid or an options object, got ${describe(options)}`,
      )
    this.#cascade = resolveCascade(cascade, 'SharedMemory')
    this.uid = settings.uid === undefined ? newUid() : checkUid('uid', settings.uid)
    const ttl = settings.ttl ?? this.#cascade.ttl
    if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl <= 0)
      throw new InvalidConfigurationError(
        `ttl must be a positive whole number of milliseconds, got ${describe(ttl)}`,
      )
    this.ttl = ttl
    this.#key = this.#cascade.store.memoryKey(this.uid)
    this.vars = this.#view()
    runningStep.getStore()?.pages.add(this)
  }

  /** The value stored under `name`, or `undefined` when there is none (or the page expired). */
  async get<K extends keyof V & string>(name: K): Promise<V[K] | undefined> {
    checkName(name)
    await this.flush()
    const [data] = await this.#cascade.store.fields('memory-get', this.#key, [name])
    if (data === undefined) return undefined
    return this.#cascade.codec.decode(this.#key, name, data) as V[K]
  }

  /** Stores `value` under `name` and renews the page's expiry. */
  async set<K extends keyof V & string>(name: K, value: V[K]): Promise<void> {
    const data = this.#encode(name, value)
    await this.#cascade.store.write('memory-set', this.#key, this.ttl, { [name]: data })
  }

  /** Whether the page holds `name` (a stored `undefined` counts). */
  async has(name: keyof V & string): Promise<boolean> {
    checkName(name)
    await this.flush()
    const [data] = await this.#cascade.store.fields('memory-has', this.#key, [name])
    return data !== undefined
  }

  /** Removes `name`; true when it was there. */
  async delete(name: keyof V & string): Promise<boolean> {
    checkName(name)
    await this.flush()
    const store = this.#cascade.store
    const removed = await store.run(
      'memory-delete',
      () => store.client.hdel(this.#key, name),
      this.#key,
    )
    return removed > 0
  }

  /** The names the page holds. */
  async keys(): Promise<string[]> {
    await this.flush()
    const store = this.#cascade.store
    return store.run('memory-keys', () => store.client.hkeys(this.#key), this.#key)
  }

  /** Removes the whole page. */
  async clear(): Promise<void> {
    await this.flush()
    const store = this.#cascade.store
    await store.run('memory-clear', () => store.client.del(this.#key))
  }

  /**
   * Waits for every write started through `vars`; rejects with the first that failed (each
   * failure is reported once).
   */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending])
    if (this.#errors.length > 0) {
      const [first] = this.#errors
      this.#errors = []
      throw first
    }
  }

  #encode(name: string, value: unknown): string | Uint8Array {
    checkName(name)
    if (
      value !== null &&
      (typeof value === 'object' || typeof value === 'function') &&
      typeof (value as { then?: unknown }).then === 'function'
    )
      throw new MemoizeUsageError(
        `the value of "${name}" is a promise or thenable; await it and store the result`,
      )
    return this.#cascade.codec.encode(`the shared memory value "${name}"`, this.#key, name, value)
  }

  #track(write: Promise<unknown>): void {
    const tracked: Promise<void> = write.then(
      () => {
        this.#pending.delete(tracked)
      },
      (error: unknown) => {
        this.#pending.delete(tracked)
        this.#errors.push(error)
      },
    )
    this.#pending.add(tracked)
  }

  #view(): SharedMemoryVars<V> {
    const store = this.#cascade.store
    const handler: ProxyHandler<object> = {
      get: (_target, name) => {
        // `then` stays undefined, so `await memory.vars` is not mistaken for a promise.
        if (typeof name === 'symbol' || name === 'then') return undefined
        return this.get(name as keyof V & string)
      },
      set: (_target, name, value) => {
        if (typeof name === 'symbol')
          throw new MemoizeUsageError('shared memory names are strings, not symbols')
        const data = this.#encode(name, value) // a bad value throws here, at the assignment
        this.#track(store.write('memory-set', this.#key, this.ttl, { [name]: data }))
        return true
      },
      deleteProperty: (_target, name) => {
        if (typeof name === 'symbol')
          throw new MemoizeUsageError('shared memory names are strings, not symbols')
        checkName(name)
        this.#track(store.run('memory-delete', () => store.client.hdel(this.#key, name), this.#key))
        return true
      },
      has: (_target, name) => {
        throw new MemoizeUsageError(
          `"${String(name)}" in memory.vars cannot be answered synchronously; use await memory.has(name)`,
        )
      },
      defineProperty: () => {
        throw new MemoizeUsageError('use memory.vars.name = value or await memory.set(name, value)')
      },
    }
    return new Proxy(Object.create(null) as object, handler) as SharedMemoryVars<V>
  }
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '' || name.length > MAX_NAME)
    throw new InvalidConfigurationError(
      `a shared memory name must be a non-empty string of at most ${MAX_NAME} characters, got ${describe(name)}`,
    )
}

/**
 * The constructor of {@link SharedMemory}: `SharedMemory()`, `SharedMemory(uid)`,
 * `SharedMemory({ uid, ttl })`, with or without `new`; `V` types the page's values.
 */
export interface SharedMemoryConstructor {
  new <V extends object = Record<string, unknown>>(
    options?: string | SharedMemoryOptions,
    cascade?: LambdaCascade,
  ): SharedMemoryImpl<V>
  <V extends object = Record<string, unknown>>(
    options?: string | SharedMemoryOptions,
    cascade?: LambdaCascade,
  ): SharedMemoryImpl<V>
  readonly prototype: SharedMemoryImpl
}
export const SharedMemory = callable(SharedMemoryImpl) as SharedMemoryConstructor
export type SharedMemory<V extends object = Record<string, unknown>> = SharedMemoryImpl<V>

/** A {@link SharedMemory} constructor bound to one cascade (`cascade.SharedMemory`). @internal */
export function boundSharedMemory(cascade: LambdaCascade): SharedMemoryConstructor {
  class BoundSharedMemory<V extends object = Record<string, unknown>> extends SharedMemoryImpl<V> {
    constructor(options?: string | SharedMemoryOptions) {
      super(options, cascade)
    }
  }
  return callable(BoundSharedMemory) as unknown as SharedMemoryConstructor
}
