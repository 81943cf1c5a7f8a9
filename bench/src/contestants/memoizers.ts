// The in-process contestants: memokit and the memoizers/caches a Node user would otherwise pick,
// each configured from the same lifetimes (refresh time, expiry time, capacity) and wrapped as
// `get(key)`. Libraries are imported when a contestant is created, so a measurement process
// loads only the library it measures.
import type { ContestantSpec } from '../lib/scenario.js'

/** The same policy for every contestant; each maps it onto its own options. */
export interface Lifetimes {
  /** After this many milliseconds a value should be refreshed (in the background if possible). */
  readonly refreshAfter: number
  /** After this many milliseconds a value must not be served any more. */
  readonly expireAfter: number
  /** Most entries kept. */
  readonly maxEntries: number
}

/** The memoized backend call. */
export type Loader = (key: string) => Promise<unknown>

/** A memoized `get`: returns the value or a promise of it (the harness awaits either). */
export type Get = (key: string) => unknown

export interface Memoizer extends ContestantSpec {
  /** Has a refresh model: serves the old value while one background call refreshes it. */
  readonly refreshes: true | string
  /** How `Lifetimes` map onto its options, in Markdown, for the doc. */
  configuration(lifetimes: Lifetimes): string
  /** `keys` is the key space (only the floor uses it: it is preloaded). */
  create(load: Loader, lifetimes: Lifetimes, keys: readonly string[]): Promise<Get>
}

const seconds = (ms: number): number => Math.max(1, Math.round(ms / 1000))

export const MEMOIZERS: readonly Memoizer[] = [
  {
    id: 'floor',
    name: 'floor: Map.get + await',
    floor: true,
    refreshes: 'a preloaded Map: nothing to refresh',
    configuration: () => 'a `Map` preloaded with every key; `await map.get(key)`',
    async create(load, _lifetimes, keys) {
      const map = new Map<string, unknown>()
      for (const key of keys) map.set(key, await load(key))
      return (key) => map.get(key)
    },
  },
  {
    id: 'memokit-decorated',
    name: 'memokit @memoize()',
    refreshes: true,
    configuration: (l) =>
      `\`@memoize({ configuration: DefaultInMemoryCacheConfiguration({ capacity: ${l.maxEntries}, updateAfter: ${l.refreshAfter}, expireAfter: ${l.expireAfter} }) })\` on a method (TC39 decorators)`,
    async create(load, l) {
      const { memoize, DefaultInMemoryCacheConfiguration } = await import('@memokit/core')
      const configuration = DefaultInMemoryCacheConfiguration({
        capacity: l.maxEntries,
        updateAfter: l.refreshAfter,
        expireAfter: l.expireAfter,
      })
      class Service {
        @memoize({ configuration })
        async get(key: string): Promise<unknown> {
          return load(key)
        }
      }
      const service = new Service()
      return (key) => service.get(key)
    },
  },
  {
    id: 'memokit',
    name: 'memokit memoize(fn)',
    refreshes: true,
    configuration: (l) =>
      `\`memoize(fn, { configuration: DefaultInMemoryCacheConfiguration({ capacity: ${l.maxEntries}, updateAfter: ${l.refreshAfter}, expireAfter: ${l.expireAfter} }) })\``,
    async create(load, l) {
      const { memoize, DefaultInMemoryCacheConfiguration } = await import('@memokit/core')
      return memoize(load, {
        configuration: DefaultInMemoryCacheConfiguration({
          capacity: l.maxEntries,
          updateAfter: l.refreshAfter,
          expireAfter: l.expireAfter,
        }),
      })
    },
  },
  {
    id: 'memokit-memory',
    name: 'memokit memoize(fn), memory storage',
    refreshes: true,
    configuration: (l) =>
      `\`MemoryCacheConfiguration({ maxSizeBytes: '64M', maxItems: ${l.maxEntries}, updateAfter: ${l.refreshAfter}, expireAfter: ${l.expireAfter} })\` (@memokit/memory)`,
    async create(load, l) {
      const { memoize } = await import('@memokit/core')
      const { MemoryCacheConfiguration } = await import('@memokit/memory')
      return memoize(load, {
        configuration: MemoryCacheConfiguration({
          maxSizeBytes: '64M',
          maxItems: l.maxEntries,
          updateAfter: l.refreshAfter,
          expireAfter: l.expireAfter,
        }),
      })
    },
  },
  {
    id: 'lru-get',
    name: 'lru-cache get (cache-aside)',
    refreshes: 'cache-aside: a miss after the TTL calls the backend in the caller',
    configuration: (l) =>
      `\`new LRUCache({ max: ${l.maxEntries}, ttl: ${l.expireAfter} })\`; \`cache.get(key) ?? load(key).then(set)\` (no in-flight deduplication)`,
    async create(load, l) {
      const { LRUCache } = await import('lru-cache')
      const cache = new LRUCache<string, object>({ max: l.maxEntries, ttl: l.expireAfter })
      return (key) =>
        cache.get(key) ??
        load(key).then((value) => {
          cache.set(key, value as object)
          return value
        })
    },
  },
  {
    id: 'lru-fetch',
    name: 'lru-cache fetch (allowStale)',
    refreshes: true,
    configuration: (l) =>
      `\`new LRUCache({ max: ${l.maxEntries}, ttl: ${l.refreshAfter}, allowStale: true, fetchMethod })\`; \`cache.fetch(key)\` (one TTL: a stale value is served until evicted, there is no expiry time)`,
    async create(load, l) {
      const { LRUCache } = await import('lru-cache')
      const cache = new LRUCache<string, object>({
        max: l.maxEntries,
        ttl: l.refreshAfter,
        allowStale: true,
        fetchMethod: (key) => load(key),
      })
      return (key) => cache.fetch(key)
    },
  },
  {
    id: 'memoizee',
    name: 'memoizee (promise, preFetch)',
    refreshes: true,
    configuration: (l) =>
      `\`memoizee(fn, { promise: true, max: ${l.maxEntries}, maxAge: ${l.expireAfter}, preFetch: ${(1 - l.refreshAfter / l.expireAfter).toFixed(3)} })\` (pre-fetch once ${l.refreshAfter} ms have passed)`,
    async create(load, l) {
      const { default: memoizee } = await import('memoizee')
      return memoizee(load, {
        promise: true,
        max: l.maxEntries,
        maxAge: l.expireAfter,
        preFetch: 1 - l.refreshAfter / l.expireAfter,
      })
    },
  },
  {
    id: 'p-memoize',
    name: 'p-memoize',
    refreshes: 'no expiry or refresh of its own (its default cache is a Map)',
    configuration: () => '`pMemoize(fn)` (default `Map` cache: unbounded, no expiry)',
    async create(load) {
      const { default: pMemoize } = await import('p-memoize')
      return pMemoize(load)
    },
  },
  {
    id: 'async-cache-dedupe',
    name: 'async-cache-dedupe (memory)',
    refreshes: true,
    configuration: (l) =>
      `\`createCache({ ttl: ${seconds(l.refreshAfter)}, stale: ${seconds(l.expireAfter - l.refreshAfter)}, storage: { type: 'memory', options: { size: ${l.maxEntries} } } }).define('load', fn)\` (whole seconds)`,
    async create(load, l) {
      const { createCache } = await import('async-cache-dedupe')
      const cache = createCache({
        ttl: seconds(l.refreshAfter),
        stale: seconds(l.expireAfter - l.refreshAfter),
        storage: { type: 'memory', options: { size: l.maxEntries } },
      }).define('load', (key: string) => load(key)) as unknown as { load: Loader }
      return (key) => cache.load(key)
    },
  },
  {
    id: 'bentocache',
    name: 'bentocache (memory)',
    refreshes: true,
    configuration: (l) =>
      `L1 \`memoryDriver({ maxItems: ${l.maxEntries}, serialize: false })\`; \`getOrSet({ key, factory, ttl: ${l.refreshAfter}, grace: ${l.expireAfter - l.refreshAfter} })\` (soft timeout 0: a graced value is returned while the factory runs)`,
    async create(load, l) {
      const { BentoCache, bentostore } = await import('bentocache')
      const { memoryDriver } = await import('bentocache/drivers/memory')
      const bento = new BentoCache({
        default: 'memory',
        stores: {
          memory: bentostore().useL1Layer(
            memoryDriver({ maxItems: l.maxEntries, serialize: false }),
          ),
        },
      })
      const ttl = l.refreshAfter
      const grace = l.expireAfter - l.refreshAfter
      return (key) => bento.getOrSet({ key, factory: () => load(key), ttl, grace })
    },
  },
  {
    id: 'cache-manager',
    name: 'cache-manager wrap',
    refreshes: true,
    configuration: (l) =>
      `\`createCache({ ttl: ${l.expireAfter}, refreshThreshold: ${l.expireAfter - l.refreshAfter} })\` (Keyv's default in-memory store, unbounded); \`cache.wrap(key, fn)\``,
    async create(load, l) {
      const { createCache } = await import('cache-manager')
      const cache = createCache({
        ttl: l.expireAfter,
        refreshThreshold: l.expireAfter - l.refreshAfter,
      })
      return (key) => cache.wrap(key, () => load(key))
    },
  },
  {
    id: 'typescript-memoize',
    name: 'typescript-memoize @Memoize',
    refreshes: 'expiry only: no background refresh',
    configuration: (l) =>
      `\`@Memoize({ expiring: ${l.expireAfter} })\` on a method (a legacy decorator, applied as \`experimentalDecorators\` would; unbounded)`,
    async create(load, l) {
      const { Memoize } = await import('typescript-memoize')
      class Service {
        async get(key: string): Promise<unknown> {
          return load(key)
        }
      }
      // What TypeScript's legacy decorator emit does for `@Memoize(...) get(...)`.
      const descriptor = Object.getOwnPropertyDescriptor(Service.prototype, 'get')!
      Memoize({ expiring: l.expireAfter })(Service.prototype, 'get', descriptor)
      Object.defineProperty(Service.prototype, 'get', descriptor)
      const service = new Service()
      return (key) => service.get(key)
    },
  },
]

/** The memoizer with this id. */
export function memoizer(id: string): Memoizer {
  const found = MEMOIZERS.find((m) => m.id === id)
  if (found === undefined) throw new Error(`unknown contestant ${id}`)
  return found
}
