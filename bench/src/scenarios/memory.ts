// Byte-bounded memory stores: the heap each really uses once filled past its budget, and their
// get/set throughput. @memokit/memory (FaasCacheMap, MemoryCacheStorage) against lru-cache,
// the library a Node user would otherwise pick for a byte-bounded LRU, and bentocache's memory
// driver (bounded by serialized size).
//
// lru-cache needs a user `sizeCalculation` to bound bytes; two are measured:
// - `JSON.stringify(value).length`, the usual idiom (cheap to write, blind to Map/Set/Buffer
//   contents and to the overhead of live objects);
// - memokit's `estimateByteSize`, the size model FaasCacheMap uses, so the data structures are
//   compared on equal terms.
import type { ContestantSpec, Scenario } from '../lib/scenario.js'
import { heapNow, MiB, random, valueMaker, type ValueKinds } from '../lib/values.js'

interface Store {
  get(key: string): unknown
  set(key: string, value: unknown): unknown
  readonly size?: number
}

function jsonSize(value: unknown, key: string): number {
  return Math.max(1, key.length + (JSON.stringify(value)?.length ?? 0))
}

async function modelSizer(): Promise<(value: unknown, key: string) => number> {
  const { SIZE_MODEL, estimateByteSize } = await import('@memokit/memory')
  return (value, key) => SIZE_MODEL.entryOverhead + estimateByteSize(key) + estimateByteSize(value)
}

/** Synchronous stores, created for a byte budget (and a TTL for the `-ttl` variants). */
const STORES: Record<string, (budget: number, ttl: number) => Promise<Store>> = {
  faas: async (budget) => {
    const { FaasCacheMap } = await import('@memokit/memory')
    return new FaasCacheMap<string, unknown>({ maxSizeBytes: budget })
  },
  'faas-ttl': async (budget, ttl) => {
    const { FaasCacheMap } = await import('@memokit/memory')
    return new FaasCacheMap<string, unknown>({ maxSizeBytes: budget, defaultTtl: ttl })
  },
  'lru-json': async (budget) => {
    const { LRUCache } = await import('lru-cache')
    return new LRUCache<string, object>({ maxSize: budget, sizeCalculation: jsonSize })
  },
  'lru-estimate': async (budget) => {
    const { LRUCache } = await import('lru-cache')
    return new LRUCache<string, object>({ maxSize: budget, sizeCalculation: await modelSizer() })
  },
  'lru-estimate-ttl': async (budget, ttl) => {
    const { LRUCache } = await import('lru-cache')
    return new LRUCache<string, object>({
      maxSize: budget,
      sizeCalculation: await modelSizer(),
      ttl,
    })
  },
}

// ---------------------------------------------------------------------------------------------
// Heap against the budget

interface BoundParams {
  budgetMiB: number
  writes: Record<ValueKinds, number>
}

/** Writes `writes` fresh values under fresh keys; returns the entries kept (when known). */
type Filler = (
  budget: number,
  writes: number,
  make: () => object,
) => Promise<{ entries: number | undefined; keep: unknown }>

const syncFiller =
  (create: (budget: number, ttl: number) => Promise<Store>): Filler =>
  async (budget, writes, make) => {
    const store = await create(budget, Infinity)
    for (let i = 0; i < writes; i++) store.set(`key:${i}`, make())
    return { entries: store.size, keep: store }
  }

const FILLERS: Record<string, Filler> = {
  faas: syncFiller(STORES.faas!),
  'memokit-memory': async (budget, writes, make) => {
    const { memoize } = await import('@memokit/core')
    const { MemoryCacheConfiguration } = await import('@memokit/memory')
    const configuration = MemoryCacheConfiguration({ maxSizeBytes: budget })
    const get = memoize(async (_key: string) => make(), { configuration })
    for (let i = 0; i < writes; i++) await get(`key:${i}`)
    return { entries: configuration.memoryStorage.size, keep: get }
  },
  'lru-json': syncFiller(STORES['lru-json']!),
  'lru-estimate': syncFiller(STORES['lru-estimate']!),
  bentocache: async (budget, writes, make) => {
    const { BentoCache, bentostore } = await import('bentocache')
    const { memoryDriver } = await import('bentocache/drivers/memory')
    const bento = new BentoCache({
      default: 'memory',
      stores: {
        memory: bentostore().useL1Layer(
          memoryDriver({ maxSize: budget, maxItems: writes, serialize: true }),
        ),
      },
    })
    for (let i = 0; i < writes; i++) await bento.set({ key: `key:${i}`, value: make() })
    return { entries: undefined, keep: bento }
  },
}

const COUNT_ONLY = 'bounded by entry count only'

const boundContestants: ContestantSpec[] = [
  { id: 'faas', name: 'memokit FaasCacheMap' },
  { id: 'memokit-memory', name: 'memokit memoize(fn), MemoryCacheConfiguration' },
  { id: 'lru-json', name: 'lru-cache maxSize, JSON.stringify length' },
  { id: 'lru-estimate', name: "lru-cache maxSize, memokit's estimateByteSize" },
  { id: 'bentocache', name: 'bentocache memoryDriver maxSize (serialized size)' },
  { id: 'memoizee', name: 'memoizee', na: COUNT_ONLY },
  {
    id: 'p-memoize',
    name: 'p-memoize',
    na: 'unbounded by default (a custom cache could bound it)',
  },
  { id: 'async-cache-dedupe', name: 'async-cache-dedupe', na: COUNT_ONLY },
  {
    id: 'cache-manager',
    name: 'cache-manager',
    na: 'depends on the Keyv store; the default is unbounded',
  },
  { id: 'typescript-memoize', name: 'typescript-memoize', na: 'unbounded' },
]

export const memoryBound: Scenario<BoundParams> = {
  id: 'memory',
  title: 'Byte-bounded memory store past its budget',
  summary:
    'A memory cache bounded in bytes is only useful if the bound holds against the real heap: in a Lambda function or a container with a memory limit, a cache that believes it uses 64 MiB but really uses 170 MiB gets the process killed. Each store gets a 64 MiB budget and about three times as much data; the heap growth after full garbage collections is compared with the budget. Below 1.0 the bound holds (with room to spare the lower it is); above 1.0 it does not.',
  reps: { full: 3, quick: 1, smoke: 1 },
  timeoutMs: 240_000,
  params: {
    full: { budgetMiB: 64, writes: { mixed: 200_000, records: 600_000 } },
    quick: { budgetMiB: 64, writes: { mixed: 200_000, records: 600_000 } },
    smoke: { budgetMiB: 1, writes: { mixed: 1_000, records: 3_000 } },
  },
  variants: [
    { id: 'mixed', title: 'Mixed values (strings, records, arrays, Buffers, Maps; ~2 KB average)' },
    { id: 'records', title: 'Small JSON records only (~200 bytes of JSON each)' },
  ],
  contestants: boundContestants,
  nodeArgs: ['--expose-gc'],
  columns: [
    { key: 'entries', label: 'entries kept' },
    { key: 'heapMiB', label: 'heap MiB', digits: 1 },
    { key: 'heapPerBudget', label: 'heap / budget', digits: 2 },
  ],
  describe: (p) =>
    `budget ${p.budgetMiB} MiB; ${p.writes.mixed.toLocaleString('en')} writes of fresh mixed values, or ${p.writes.records.toLocaleString('en')} of small records, under fresh keys; heap = growth of heapUsed + arrayBuffers after two full GCs, measured in a fresh process per store`,
  async measure(id, variant, { params: p }) {
    const kinds = variant as ValueKinds
    const fill = FILLERS[id]
    if (fill === undefined) throw new Error(`unknown contestant ${id}`)
    const make = valueMaker(42, kinds)
    const budget = p.budgetMiB * MiB
    await fill(budget, 1, make) // loads the library before the baseline
    const baseline = heapNow()
    const filled = await fill(budget, p.writes[kinds], make)
    const growth = heapNow() - baseline
    if (filled.keep === undefined) throw new Error('unreachable') // keeps the store alive until here
    return {
      ...(filled.entries === undefined ? {} : { entries: filled.entries }),
      heapMiB: growth / MiB,
      heapPerBudget: growth / budget,
    }
  },
}

// ---------------------------------------------------------------------------------------------
// Throughput

interface OpsParams {
  keys: number
  pool: number
  budgetMiB: number
  writes: number
  reads: number
  /** In-process rounds, best kept (the runner then takes the median over processes). */
  rounds: number
}

export const memoryOps: Scenario<OpsParams> = {
  id: 'memory-ops',
  title: 'Byte-bounded memory store throughput',
  summary:
    'The speed of the byte-bounded stores themselves (no memoization): sets of pre-built values that evict, gets that hit, and a 90/10 mix of gets and sets over a key space larger than what fits. A byte bound costs a size estimate on every set; this shows what it costs and what the LRU and TTL bookkeeping cost.',
  reps: { full: 3, quick: 1, smoke: 1 },
  timeoutMs: 240_000,
  params: {
    full: { keys: 50_000, pool: 10_000, budgetMiB: 16, writes: 100_000, reads: 500_000, rounds: 3 },
    quick: {
      keys: 50_000,
      pool: 10_000,
      budgetMiB: 16,
      writes: 100_000,
      reads: 500_000,
      rounds: 2,
    },
    smoke: { keys: 500, pool: 100, budgetMiB: 1, writes: 500, reads: 500, rounds: 1 },
  },
  contestants: [
    { id: 'lru-estimate', name: "lru-cache maxSize, memokit's estimateByteSize", floor: true },
    { id: 'faas', name: 'memokit FaasCacheMap' },
    { id: 'lru-json', name: 'lru-cache maxSize, JSON.stringify length' },
    { id: 'faas-ttl', name: 'memokit FaasCacheMap + defaultTtl' },
    { id: 'lru-estimate-ttl', name: "lru-cache maxSize + ttl, memokit's estimateByteSize" },
  ],
  columns: [
    { key: 'set', label: 'set ops/s' },
    { key: 'get', label: 'get (hit) ops/s' },
    { key: 'mixed', label: '90/10 mix ops/s' },
  ],
  ratio: { metric: 'mixed', better: 'higher', label: 'mix throughput × lru-cache' },
  describe: (p) =>
    `${p.keys.toLocaleString('en')} keys over a pool of ${p.pool.toLocaleString('en')} pre-built mixed values (~2 KB average), budget ${p.budgetMiB} MiB (smaller than the data, so sets evict), TTL 10 min for the TTL variants; per round ${p.writes.toLocaleString('en')} sets, ${p.reads.toLocaleString('en')} gets of held keys in a shuffled order, and ${p.writes.toLocaleString('en')} mixed operations; best of ${p.rounds} rounds per process`,
  async measure(id, _variant, { params: p }) {
    const create = STORES[id]
    if (create === undefined) throw new Error(`unknown contestant ${id}`)
    const make = valueMaker(1)
    const pool = Array.from({ length: p.pool }, make)
    const keys = Array.from({ length: p.keys }, (_, i) => `user:${i}:profile`)
    const rand = random(7)
    const order = Array.from({ length: p.writes }, () => Math.floor(rand() * p.keys))
    const values = order.map((_, i) => pool[i % p.pool]!)
    const store = await create(p.budgetMiB * MiB, 600_000)
    for (let i = 0; i < p.keys; i++) store.set(keys[i]!, pool[i % p.pool])
    // Gets of keys the store holds (hits), read in a shuffled order.
    const held = keys.filter((key) => store.get(key) !== undefined)
    const reads = Array.from({ length: p.reads }, () => held[Math.floor(rand() * held.length)]!)
    const time = (body: () => void): number => {
      const start = process.hrtime.bigint()
      body()
      return Number(process.hrtime.bigint() - start)
    }
    let sink = 0
    const best = { set: Infinity, get: Infinity, mixed: Infinity }
    for (let round = 0; round < p.rounds; round++) {
      best.set = Math.min(
        best.set,
        time(() => {
          for (let i = 0; i < order.length; i++) store.set(keys[order[i]!]!, values[i])
        }),
      )
      best.get = Math.min(
        best.get,
        time(() => {
          for (let i = 0; i < reads.length; i++) if (store.get(reads[i]!) !== undefined) sink++
        }),
      )
      // 90% gets, 10% sets over the whole key space (misses included).
      best.mixed = Math.min(
        best.mixed,
        time(() => {
          for (let i = 0; i < order.length; i++) {
            const key = keys[order[i]!]!
            if (i % 10 === 0) store.set(key, values[i])
            else if (store.get(key) !== undefined) sink++
          }
        }),
      )
    }
    if (sink < 0) console.log(sink) // keeps the reads observable
    return {
      set: (order.length / best.set) * 1e9,
      get: (reads.length / best.get) * 1e9,
      mixed: (order.length / best.mixed) * 1e9,
    }
  },
}
