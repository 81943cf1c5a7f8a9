// Always-failing background work, run in a process of its own under Node's strictest setting:
//
//   node --unhandled-rejections=throw reliability/dist/core/failing-background.js [reads]
//
// Test plan A9: stale reads keep starting background refreshes that fail in every way a
// refresh can (asynchronous rejection, synchronous throw, method timeout), with storages and
// update statuses that fail too and an event listener that throws. One unhandled rejection
// anywhere kills this process (exit code 1). Otherwise it prints a JSON summary and exits 0.
import {
  DefaultInMemoryCacheConfiguration,
  InMemoryLocks,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
  cacheControl,
  forceRefresh,
  invalidate,
  memoize,
  memoizeConcurrent,
  settle,
  withSignal,
  type CacheEntry,
  type CacheKey,
  type CacheStorage,
  type UpdateClaim,
  type UpdateStatuses,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'

const reads = Number(process.argv[2] ?? 10_000)
const UPDATE_AFTER = 100
const clock = new FakeClock()

/** A storage that stores, but whose releases (evictions, invalidations) reject. */
class FailingReleases implements CacheStorage {
  readonly inner = new LocalInMemoryCacheStorage()
  get(key: CacheKey): Promise<CacheEntry | undefined> {
    return this.inner.get(key)
  }
  offer(key: CacheKey, entry: CacheEntry): Promise<void> {
    return this.inner.offer(key, entry)
  }
  release(): Promise<void> {
    return Promise.reject(new Error('release failed'))
  }
}

/** In-memory locks whose endings reject asynchronously (a remote lock service failing). */
function failingEndings(): UpdateStatuses {
  const locks = new InMemoryLocks({ clock })
  return {
    isBeingUpdated: (key) => locks.isBeingUpdated(key),
    markBeingUpdated: (key) => locks.markBeingUpdated(key),
    tryMarkBeingUpdated: (key) => locks.tryMarkBeingUpdated(key),
    awaitUpdated: (key) => locks.awaitUpdated(key),
    async markUpdated(key: CacheKey, entry: CacheEntry, claim?: UpdateClaim) {
      locks.markUpdated(key, entry, claim)
      await Promise.resolve()
      throw new Error('markUpdated failed')
    },
    async markUpdateAborted(key: CacheKey, error: unknown, claim?: UpdateClaim) {
      locks.markUpdateAborted(key, error, claim)
      await Promise.resolve()
      throw new Error('markUpdateAborted failed')
    },
  }
}

type Mode = 'reject' | 'throw' | 'hang'
let healthy = true
const attempts: Record<Mode, number> = { reject: 0, throw: 0, hang: 0 }

function method(mode: Mode): (key: number) => Promise<string> {
  return (key: number): Promise<string> => {
    if (healthy) return Promise.resolve(`value ${key}`)
    attempts[mode]++
    if (mode === 'throw') throw new Error('thrown synchronously')
    if (mode === 'hang') return new Promise<string>(() => {})
    return Promise.reject(new Error('rejected'))
  }
}

function configuration(storage?: CacheStorage, capacity = 100): MutableCacheConfiguration {
  const base = DefaultInMemoryCacheConfiguration({
    clock,
    updateAfter: UPDATE_AFTER,
    expireAfter: 10 * 60_000,
    methodTimeout: 50,
    capacity,
  })
  return storage === undefined
    ? base
    : MutableCacheConfiguration.initializedWith(base).setStorage(storage)
}

const fns = (['reject', 'throw', 'hang'] as const).map((mode) =>
  memoize(method(mode), {
    configuration: configuration(mode === 'reject' ? new FailingReleases() : undefined),
    updateStatuses: mode === 'throw' ? failingEndings() : undefined,
    name: `failing.${mode}`,
  }),
)
/** A healthy method whose storage holds one entry and fails every release (evictions). */
const evicting = memoize((key: number) => Promise.resolve(`value ${key}`), {
  configuration: configuration(new FailingReleases(), 1),
  name: 'failing.evictions',
})
let failedEvents = 0
for (const fn of fns)
  cacheControl(fn).on((event) => {
    if (event.type === 'refresh-failed' || event.type === 'timeout') failedEvents++
    throw new Error('a listener that throws') // must not reach the engine
  })

const concurrent = memoizeConcurrent(
  (key: number) =>
    new Promise<string>((_resolve, reject) =>
      setTimeout(() => reject(new Error(`late ${key}`)), 1),
    ),
)

/** Awaits `promise` while moving the fake clock, so method timeouts can fire meanwhile. */
async function withTime<T>(promise: Promise<T>): Promise<T> {
  let settled = false
  promise.then(
    () => (settled = true),
    () => (settled = true),
  )
  await flushPromises(1)
  for (let i = 0; !settled && i < 1_000; i++) {
    clock.advance(10)
    await flushPromises(1)
  }
  return promise
}

async function main(): Promise<void> {
  // Fill the caches while the backend works; then it fails for good.
  for (const fn of fns) for (let key = 0; key < 3; key++) await fn(key)
  healthy = false
  const staleServed: Record<Mode, number> = { reject: 0, throw: 0, hang: 0 }
  const modes = ['reject', 'throw', 'hang'] as const
  const errors: Record<string, number> = {}
  for (let i = 0; i < reads; i++) {
    clock.advance(6) // 10,000 reads span 60 s of fake time
    const fn = fns[i % fns.length]!
    const key = i % 3
    try {
      // Every refresh fails, so any value served is the stale one.
      await withTime(i % 97 === 0 ? forceRefresh(() => fn(key)) : fn(key))
      staleServed[modes[i % 3]!]++
    } catch (error) {
      const name = (error as Error).name
      errors[name] = (errors[name] ?? 0) + 1
    }
    if (i % 7 === 0) {
      await withTime(evicting(i)) // evicts the previous key: a release that rejects
      await invalidate(() => evicting(i)).catch(() => {}) // rejects too: the caller sees it
    }
    if (i % 101 === 0) {
      // Every caller of a shared call leaves before it rejects.
      const controller = new AbortController()
      const left = withSignal(controller.signal, () => concurrent(i)).catch(() => {})
      controller.abort(new Error('gave up'))
      await left
    }
    await flushPromises(1) // background refreshes start on the next turn
  }
  // Time out what hangs (a refresh starts a new method timer when it runs), then settle.
  for (let round = 0; round < 20; round++) {
    clock.advance(100)
    await flushPromises()
  }
  await settle()
  await new Promise((resolve) => setTimeout(resolve, 20))
  const inFlight = [...fns, evicting].map(
    (fn) => (cacheControl(fn) as { refreshesInFlight?: number }).refreshesInFlight,
  )
  console.log(
    JSON.stringify({ reads, staleServed, attempts, failedEvents, callerErrors: errors, inFlight }),
  )
}

let finished = false
process.on('exit', (code) => {
  // An event loop that ran dry while something still awaited: a hang, not a success.
  if (!finished && code === 0) {
    console.error('exited before finishing: something never settled')
    process.exitCode = 3
  }
})
main().then(
  () => {
    finished = true
    process.exit(0)
  },
  (error: unknown) => {
    console.error(error)
    process.exit(2)
  },
)
