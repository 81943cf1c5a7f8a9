// The heap measurement of heap-bound.test.ts, in a fresh `node --expose-gc` process so that
// nothing else (jest's module registry, earlier test files) moves the baseline.
import { FaasCacheMap } from '../../dist/index.js'

const MiB = 1024 * 1024
const BUDGET = 50 * MiB
const COUNT = 100_000

/** A small seeded PRNG (mulberry32), so every run stores the same values. */
function random(seed) {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function valueMaker(rand) {
  const int = (min, max) => min + Math.floor(rand() * (max - min + 1))
  // Built with join, so it is one flat string from the start (a string grown with += is a
  // chain of concatenations that V8 flattens later, freeing memory mid-measurement).
  const letters = Array.from({ length: 1 << 18 }, () => String.fromCharCode(65 + int(0, 25))).join(
    '',
  )
  // A fresh flat string (toLowerCase copies): no value shares characters with another.
  const word = (length) => {
    const start = int(0, letters.length - length)
    return letters.slice(start, start + length).toLowerCase()
  }
  const record = (i) => ({
    id: i,
    name: word(int(4, 16)),
    email: `${word(int(3, 10))}@example.com`,
    score: rand() * 100,
    active: rand() < 0.5,
    tags: [word(5), word(6)],
  })
  return (i) => {
    const kind = rand()
    if (kind < 0.2) return word(int(10, 4000)) // ASCII text
    if (kind < 0.25) return word(int(10, 1000)) + '€' + word(int(10, 1000)) // two-byte text
    if (kind < 0.45) return JSON.parse(JSON.stringify(record(i))) // API-like record
    if (kind < 0.55) return Array.from({ length: int(10, 200) }, () => rand() * 1000) // numbers
    if (kind < 0.65)
      return JSON.parse(JSON.stringify(Array.from({ length: int(5, 30) }, (_, j) => record(j))))
    if (kind < 0.75) return Buffer.alloc(int(100, 8000), i & 0xff) // binary
    if (kind < 0.8) return new Map(Array.from({ length: int(5, 50) }, (_, j) => [word(8), j]))
    if (kind < 0.85) return new Set(Array.from({ length: int(5, 50) }, () => word(int(4, 20))))
    if (kind < 0.9) return { at: new Date(i), meta: { nested: [record(i), { deep: word(30) }] } }
    if (kind < 0.95) {
      const table = {}
      for (let j = int(20, 100); j > 0; j--) table[`${word(6)}${j}`] = j
      return table
    }
    return rand() < 0.5 ? rand() * i : word(int(1, 12)) // tiny values
  }
}

const heap = () => {
  globalThis.gc()
  globalThis.gc()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}
const rand = random(20_240_101)
const make = valueMaker(rand)

const baseline = heap()
const map = new FaasCacheMap({ maxSizeBytes: BUDGET, purgeInterval: false })
let maxTracked = 0
for (let i = 0; i < COUNT; i++) {
  map.set(`key:${i}`, make(i))
  // Reads of recent keys (skewed towards the newest) reorder the LRU list as real traffic does.
  map.get(`key:${i - Math.floor(i * rand() ** 4)}`)
  maxTracked = Math.max(maxTracked, map.byteSize)
}
const growth = heap() - baseline
console.log(
  JSON.stringify({
    budget: BUDGET,
    writes: COUNT,
    kept: map.size,
    estimated: map.byteSize,
    maxTracked,
    growth,
  }),
)
