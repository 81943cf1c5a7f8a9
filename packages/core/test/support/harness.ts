import {
  DefaultInMemoryCacheConfiguration,
  type MutableCacheConfiguration,
  type CacheEntry,
  type CacheKey,
  type CacheStorage,
  type DefaultInMemoryCacheConfigurationOptions,
} from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import { inspect } from 'node:util'

/** A promise with its resolve and reject functions, for methods the test finishes by hand. */
export interface Deferred<T> {
  readonly promise: Promise<T>
  resolve(value: T): void
  reject(error: unknown): void
}

export function deferred<T = unknown>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A fake clock plus a default in-memory configuration reading it. */
export function fakeConfiguration(
  options: Omit<DefaultInMemoryCacheConfigurationOptions, 'clock'> = {},
): { clock: FakeClock; configuration: MutableCacheConfiguration } {
  const clock = new FakeClock()
  return { clock, configuration: DefaultInMemoryCacheConfiguration({ clock, ...options }) }
}

/** Resolves after `ms` of fake time: a method "running" for that long. */
export function sleep(clock: FakeClock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, ms))
}

/** Settles every promise and reports how each ended, without throwing. */
export async function outcomes(promises: readonly Promise<unknown>[]): Promise<unknown[]> {
  const settled = await Promise.allSettled(promises)
  return settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason))
}

/** True once the promise has settled (checked after a few event-loop turns by the caller). */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; promise: Promise<T> } {
  const state = { settled: false, promise }
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  )
  return state
}

/**
 * Records `unhandledRejection` events of the real Node process for the duration of a test.
 *
 * Jest gives each test file a copy of `process`, so `process.on` there never sees these
 * events; the real one is reached through a function from the outer realm (a core module's).
 */
export function unhandledRejections(): { readonly reasons: unknown[]; dispose(): void } {
  const OuterFunction = inspect.constructor as FunctionConstructor
  const real = new OuterFunction('return process')() as NodeJS.Process
  if (real === process) throw new Error('expected the outer process object')
  const reasons: unknown[] = []
  const spy = (reason: unknown): void => {
    reasons.push(reason)
  }
  real.prependListener('unhandledRejection', spy)
  return { reasons, dispose: () => real.off('unhandledRejection', spy) }
}

/** An in-memory storage recording every call, with switchable faults. */
export class RecordingStorage implements CacheStorage {
  readonly data = new Map<CacheKey, CacheEntry>()
  readonly calls: string[] = []
  failGet: unknown = undefined
  failOffer: unknown = undefined
  failRelease: unknown = undefined

  get(key: CacheKey): Promise<CacheEntry | undefined> {
    this.calls.push(`get ${key}`)
    if (this.failGet !== undefined) return Promise.reject(this.failGet)
    return Promise.resolve(this.data.get(key))
  }

  offer(key: CacheKey, entry: CacheEntry): Promise<void> {
    this.calls.push(`offer ${key}`)
    if (this.failOffer !== undefined) return Promise.reject(this.failOffer)
    this.data.set(key, entry)
    return Promise.resolve()
  }

  release(key: CacheKey): Promise<void> {
    this.calls.push(`release ${key}`)
    if (this.failRelease !== undefined) return Promise.reject(this.failRelease)
    this.data.delete(key)
    return Promise.resolve()
  }
}
