// Calibration of @memokit/memory's size model: for each kind of value, store thousands of
// fresh values in a FaasCacheMap and compare the heap they really take (heapUsed +
// arrayBuffers growth after full garbage collections, per entry) with what the map counted
// (its byteSize, per entry, including the per-entry overhead). A ratio >= 1 means the model
// errs on the safe side. This is how the constants in SIZE_MODEL were chosen.
//
// Run: `pnpm build && node bench/dist/memory-size-model.js` (gc is enabled at run time).
import { FaasCacheMap } from '@memokit/memory'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

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

let state = 12_345
function rand(): number {
  state = (state + 0x6d2b79f5) | 0
  let t = Math.imul(state ^ (state >>> 15), 1 | state)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
// Built with join, so it is one flat string from the start (a string grown with += is a
// chain of concatenations that V8 flattens later, freeing memory mid-measurement).
const letters = Array.from({ length: 1 << 18 }, () =>
  String.fromCharCode(65 + Math.floor(rand() * 26)),
).join('')
/** A fresh flat string of random letters. */
function word(length: number): string {
  const start = Math.floor(rand() * (letters.length - length))
  return letters.slice(start, start + length).toLowerCase()
}
let unique = 0

const shapes: [string, number, (i: number) => unknown][] = [
  ['number (small integer)', 20_000, (i) => i],
  ['number (double)', 20_000, (i) => i + 0.5],
  ['string, 10 chars', 20_000, () => word(10)],
  ['string, 200 chars', 20_000, () => word(200)],
  ['string, 200 chars, two-byte', 20_000, () => word(100) + '€' + word(99)],
  ['string, 5,000 chars', 5_000, () => word(5000)],
  ['string, 40-char slice of a longer one', 20_000, (i) => `${i}:${word(60)}`.slice(0, 40)],
  ['string, 1,000 chars, concatenated', 5_000, () => word(500) + word(500)],
  ['bigint, 128 bits', 20_000, (i) => 2n ** 100n + BigInt(i)],
  ['record {id, name, active}', 20_000, (i) => ({ id: i, name: word(8), active: true })],
  [
    'JSON record, 10 fields',
    20_000,
    (i) =>
      JSON.parse(
        JSON.stringify({
          id: i,
          name: word(12),
          email: `${word(10)}@example.com`,
          score: rand(),
          tags: ['a', 'b'],
          created: '2024-01-01T00:00:00Z',
          active: true,
          count: 3,
          ratio: 0.5,
          note: word(30),
        }),
      ) as unknown,
  ],
  [
    'JSON object, 30 fields',
    10_000,
    () =>
      JSON.parse(
        JSON.stringify(
          Object.fromEntries(Array.from({ length: 30 }, (_, j) => [`f${j}`, j % 3 ? word(10) : j])),
        ),
      ) as unknown,
  ],
  [
    'object built with 30 fields',
    10_000,
    () => {
      const object: Record<string, unknown> = {}
      for (let j = 0; j < 30; j++) object[`f${j}`] = j % 3 ? word(10) : j
      return object
    },
  ],
  [
    'lookup table, 200 unique keys',
    2_000,
    () => {
      const table: Record<string, number> = {}
      for (let j = 0; j < 200; j++) table[`k${unique++}`] = j
      return table
    },
  ],
  [
    'array of 100 JSON records',
    2_000,
    () =>
      JSON.parse(
        JSON.stringify(
          Array.from({ length: 100 }, (_, j) => ({ id: j, name: word(8), score: rand() })),
        ),
      ) as unknown,
  ],
  ['array of 1,000 doubles (Array.from)', 2_000, () => Array.from({ length: 1000 }, rand)],
  [
    'array of 500 integers (push)',
    4_000,
    () => {
      const array: number[] = []
      for (let j = 0; j < 500; j++) array.push(j)
      return array
    },
  ],
  [
    'Map, 50 string -> number',
    4_000,
    () => new Map(Array.from({ length: 50 }, (_, j) => [word(8), j])),
  ],
  ['Set, 50 strings', 4_000, () => new Set(Array.from({ length: 50 }, () => word(8)))],
  ['Date', 20_000, (i) => new Date(i)],
  ['Buffer, 1,000 bytes', 10_000, (i) => Buffer.alloc(1000, i)],
  ['Buffer.from(40-char string) (pooled)', 20_000, () => Buffer.from(word(40))],
  ['Float64Array(100)', 10_000, () => new Float64Array(100)],
  [
    'nested {at: Date, meta: {...}}',
    20_000,
    (i) => ({ at: new Date(i), meta: { a: [1, 2, 3], b: { c: word(20) } } }),
  ],
  [
    'linked list, 50 nodes',
    2_000,
    (i) => {
      let node: unknown = { v: i }
      for (let j = 0; j < 50; j++) node = { child: node, n: j }
      return node
    },
  ],
]

console.log(`memokit size model calibration, Node ${process.version}, V8 ${process.versions.v8}`)
console.log(
  `${'value'.padEnd(40)}${'heap B'.padStart(10)}${'model B'.padStart(10)}${'model/heap'.padStart(12)}`,
)
/** Heap and model bytes per entry; in its own frame, so nothing of it outlives the call. */
function measure(count: number, make: (i: number) => unknown): { heap: number; model: number } {
  const baseline = heapNow()
  const map = new FaasCacheMap<string, unknown>({ maxSizeBytes: null, purgeInterval: false })
  for (let i = 0; i < count; i++) map.set(`key:${i}`, make(i))
  const heap = (heapNow() - baseline) / count
  const model = map.byteSize / count
  map.clear()
  return { heap, model }
}

let worst = Infinity
for (const [name, count, make] of shapes) {
  const { heap, model } = measure(count, make)
  worst = Math.min(worst, model / heap)
  console.log(
    `${name.padEnd(40)}${heap.toFixed(0).padStart(10)}${model.toFixed(0).padStart(10)}` +
      `${(model / heap).toFixed(2).padStart(12)}`,
  )
}
console.log(`lowest model/heap ratio: ${worst.toFixed(2)} (per entry, key and overhead included)`)
