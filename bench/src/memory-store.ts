// @memokit/memory against lru-cache, the library a Node user would otherwise pick for a
// byte-bounded LRU: get/set throughput, and the heap each really uses against its budget.
//
// lru-cache needs a user `sizeCalculation` to bound bytes; two are measured:
// - `JSON.stringify(value).length`, the usual idiom (cheap to write, blind to Map/Set/Buffer
//   contents and to the overhead of live objects);
// - memokit's `estimateByteSize`, the size model FaasCacheMap uses, so the data structures are
//   compared on equal terms.
//
// Workload: 50,000 keys over a pool of 10,000 pre-built mixed values (strings, JSON records,
// arrays, Buffers, Maps, nested objects); building values is not timed. The budget is smaller
// than the data, so sets evict. Run: `pnpm build && node bench/dist/memory-store.js`
// (--expose-gc is not needed: gc is enabled at run time for the heap measurements).
import { FaasCacheMap, SIZE_MODEL, estimateByteSize } from '@memokit/memory'
import { LRUCache } from 'lru-cache'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

const MiB = 1024 * 1024
const KEYS = 50_000
const POOL = 10_000
const THROUGHPUT_BUDGET = 16 * MiB
const HEAP_BUDGET = 64 * MiB
/** Writes per heap measurement: about 3x what fits the budget. */
const HEAP_WRITES = { mixed: 200_000, records: 600_000 }
const TTL = 600_000

interface Store {
  get(key: string): unknown
  set(key: string, value: unknown): unknown
}

interface Contender {
  name: string
  create(budget: number): Store
}

function jsonSize(value: unknown, key: string): number {
  return Math.max(1, key.length + (JSON.stringify(value)?.length ?? 0))
}

function modelSize(value: unknown, key: string): number {
  return SIZE_MODEL.entryOverhead + estimateByteSize(key) + estimateByteSize(value)
}

const contenders: Contender[] = [
  {
    name: 'FaasCacheMap (estimateByteSize)',
    create: (budget) => new FaasCacheMap<string, unknown>({ maxSizeBytes: budget }),
  },
  {
    name: 'FaasCacheMap + defaultTtl',
    create: (budget) =>
      new FaasCacheMap<string, unknown>({ maxSizeBytes: budget, defaultTtl: TTL }),
  },
  {
    name: 'lru-cache + JSON.stringify length',
    create: (budget) =>
      new LRUCache<string, object>({ maxSize: budget, sizeCalculation: jsonSize }),
  },
  {
    name: 'lru-cache + estimateByteSize',
    create: (budget) =>
      new LRUCache<string, object>({ maxSize: budget, sizeCalculation: modelSize }),
  },
  {
    name: 'lru-cache + estimateByteSize + ttl',
    create: (budget) =>
      new LRUCache<string, object>({ maxSize: budget, sizeCalculation: modelSize, ttl: TTL }),
  },
]

// ---------------------------------------------------------------------------------------------
// Data

function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Values from a seed: `mixed` kinds and sizes (about 2 KB on average), or `records` only
 * (small API-like JSON objects, the typical memoized result).
 */
function valueMaker(seed: number, kinds: 'mixed' | 'records' = 'mixed'): () => object {
  const rand = random(seed)
  const int = (min: number, max: number): number => min + Math.floor(rand() * (max - min + 1))
  // Built with join, so it is one flat string from the start (a string grown with += is a
  // chain of concatenations that V8 flattens later, freeing memory mid-measurement).
  const letters = Array.from({ length: 1 << 18 }, () => String.fromCharCode(65 + int(0, 25))).join(
    '',
  )
  const word = (length: number): string => {
    const start = int(0, letters.length - length)
    return letters.slice(start, start + length).toLowerCase()
  }
  const record = (id: number) => ({
    id,
    name: word(int(4, 16)),
    email: `${word(int(3, 10))}@example.com`,
    score: rand() * 100,
    active: rand() < 0.5,
    tags: [word(5), word(6)],
  })
  let i = 0
  return () => {
    i++
    if (kinds === 'records') return JSON.parse(JSON.stringify(record(i))) as object
    const kind = rand()
    // Strings are wrapped: lru-cache's V must be an object, and many caches hold objects.
    if (kind < 0.25) return { text: word(int(10, 4000)) }
    if (kind < 0.45) return JSON.parse(JSON.stringify(record(i))) as object
    if (kind < 0.55) return Array.from({ length: int(10, 200) }, () => rand() * 1000)
    if (kind < 0.65)
      return JSON.parse(
        JSON.stringify(Array.from({ length: int(5, 30) }, (_, j) => record(j))),
      ) as object
    if (kind < 0.75) return Buffer.alloc(int(100, 8000), i & 0xff)
    if (kind < 0.85) return new Map(Array.from({ length: int(5, 50) }, (_, j) => [word(8), j]))
    return { at: new Date(i), meta: { nested: [record(i), { deep: word(30) }] } }
  }
}

// ---------------------------------------------------------------------------------------------
// Measurements

function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (typeof exposed === 'function') return exposed
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}
const gc = gcFunction()

function heapNow(): number {
  gc()
  gc()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

/** Nanoseconds `body` takes. */
function time(body: () => void): number {
  const start = process.hrtime.bigint()
  body()
  return Number(process.hrtime.bigint() - start)
}

interface Throughput {
  set: number
  get: number
  mixed: number
}

const ROUNDS = 5

/**
 * Operations per second of every contender, best of {@link ROUNDS} rounds. The rounds are
 * interleaved (each round runs every contender once), so a busy machine slows all of them
 * alike rather than whichever ran during the busy spell.
 */
function throughputs(pool: object[], keys: string[]): Throughput[] {
  const rand = random(7)
  const order = Array.from({ length: 200_000 }, () => Math.floor(rand() * KEYS))
  const values = order.map((_, i) => pool[i % POOL] as object)
  const stores = contenders.map((contender) => contender.create(THROUGHPUT_BUDGET))
  for (const store of stores)
    for (let i = 0; i < KEYS; i++) store.set(keys[i] as string, pool[i % POOL])
  let sink = 0
  const best = stores.map(() => ({ set: Infinity, get: Infinity, mixed: Infinity }))
  // Gets of keys each store holds (hits), read in a shuffled order.
  const reads = stores.map((store) => {
    const held = keys.filter((key) => store.get(key) !== undefined)
    return Array.from({ length: 1_000_000 }, () => held[Math.floor(rand() * held.length)] as string)
  })
  for (let round = 0; round < ROUNDS; round++) {
    stores.forEach((store, s) => {
      const b = best[s] as Throughput
      b.set = Math.min(
        b.set,
        time(() => {
          for (let i = 0; i < order.length; i++)
            store.set(keys[order[i] as number] as string, values[i])
        }),
      )
      const mine = reads[s] as string[]
      b.get = Math.min(
        b.get,
        time(() => {
          for (let i = 0; i < mine.length; i++)
            if (store.get(mine[i] as string) !== undefined) sink++
        }),
      )
      // 90% gets, 10% sets over the whole key space (misses included).
      b.mixed = Math.min(
        b.mixed,
        time(() => {
          for (let i = 0; i < order.length; i++) {
            const key = keys[order[i] as number] as string
            if (i % 10 === 0) store.set(key, values[i])
            else if (store.get(key) !== undefined) sink++
          }
        }),
      )
    })
  }
  if (sink < 0) console.log(sink) // keeps the reads observable
  return best.map((b) => ({
    set: (order.length / b.set) * 1e9,
    get: (1_000_000 / b.get) * 1e9,
    mixed: (order.length / b.mixed) * 1e9,
  }))
}

interface HeapUse {
  entries: number
  growth: number
}

function heapUse(contender: Contender, kinds: 'mixed' | 'records'): HeapUse {
  const make = valueMaker(42, kinds)
  const baseline = heapNow()
  const store = contender.create(HEAP_BUDGET) as Store & { size: number }
  for (let i = 0; i < HEAP_WRITES[kinds]; i++) store.set(`key:${i}`, make())
  const growth = heapNow() - baseline
  const entries = store.size
  return { entries, growth }
}

// ---------------------------------------------------------------------------------------------
// Report

function main(): void {
  const make = valueMaker(1)
  const pool = Array.from({ length: POOL }, make)
  const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}:profile`)

  console.log(`memokit memory-store benchmark, Node ${process.version}`)
  console.log(
    `${KEYS.toLocaleString('en')} keys over ${POOL.toLocaleString('en')} mixed values; ` +
      `throughput budget ${THROUGHPUT_BUDGET / MiB} MiB, heap budget ${HEAP_BUDGET / MiB} MiB\n`,
  )

  const speeds = throughputs(pool, keys)
  const results = contenders.map((contender, i) => ({ contender, speed: speeds[i] as Throughput }))
  const baseline = results.find((r) => r.contender.name === 'lru-cache + estimateByteSize')
  const json = results.find((r) => r.contender.name === 'lru-cache + JSON.stringify length')
  const pad = (text: string, width: number): string => text.padEnd(width)
  const num = (value: number): string => Math.round(value).toLocaleString('en').padStart(12)
  console.log(
    `Throughput (operations per second, best of ${ROUNDS} interleaved rounds; higher is better)`,
  )
  console.log(
    `${pad('', 36)}${'set'.padStart(12)}${'get (hit)'.padStart(12)}${'90/10 mix'.padStart(12)}`,
  )
  for (const { contender, speed } of results)
    console.log(`${pad(contender.name, 36)}${num(speed.set)}${num(speed.get)}${num(speed.mixed)}`)
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`.padStart(12)
  const ours = results[0]?.speed as Throughput
  const oursTtl = results[1]?.speed as Throughput
  const theirsTtl = results[4]?.speed as Throughput
  if (baseline !== undefined && json !== undefined) {
    const b = baseline.speed
    const j = json.speed
    console.log(
      `${pad('ratio FaasCacheMap / lru+estimate', 36)}${ratio(ours.set, b.set)}${ratio(ours.get, b.get)}${ratio(ours.mixed, b.mixed)}`,
    )
    console.log(
      `${pad('ratio FaasCacheMap / lru+JSON', 36)}${ratio(ours.set, j.set)}${ratio(ours.get, j.get)}${ratio(ours.mixed, j.mixed)}`,
    )
    console.log(
      `${pad('ratio with TTL (both)', 36)}${ratio(oursTtl.set, theirsTtl.set)}${ratio(oursTtl.get, theirsTtl.get)}${ratio(oursTtl.mixed, theirsTtl.mixed)}`,
    )
  }

  console.log(
    `\nHeap actually used after writing fresh values into a ${HEAP_BUDGET / MiB} MiB budget ` +
      '(heapUsed + arrayBuffers growth after gc)',
  )
  console.log(
    `${pad('', 36)}${'entries'.padStart(12)}${'heap MiB'.padStart(12)}${'heap/budget'.padStart(12)}`,
  )
  const untimed = contenders.filter((c) => !c.name.toLowerCase().includes('ttl'))
  for (const kinds of ['mixed', 'records'] as const) {
    const writes = HEAP_WRITES[kinds].toLocaleString('en')
    console.log(
      `${kinds === 'mixed' ? 'mixed values' : 'small JSON records only'} (${writes} writes):`,
    )
    for (const contender of untimed) {
      const use = heapUse(contender, kinds)
      console.log(
        `${pad(`  ${contender.name}`, 36)}${use.entries.toLocaleString('en').padStart(12)}` +
          `${(use.growth / MiB).toFixed(1).padStart(12)}` +
          `${`${(use.growth / HEAP_BUDGET).toFixed(2)}x`.padStart(12)}`,
      )
    }
  }
}

main()
