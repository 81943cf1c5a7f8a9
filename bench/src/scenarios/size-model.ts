// Calibration of @memokit/memory's size model (not a contest): for each kind of value, store
// thousands of fresh values in a FaasCacheMap and compare the heap they really take (growth after
// full garbage collections, per entry) with what the map counted (its byteSize, per entry,
// including the per-entry overhead). A ratio >= 1 means the model errs on the safe side. This is
// how the constants in SIZE_MODEL were chosen.
import type { Scenario } from '../lib/scenario.js'
import { heapNow, random, wordMaker } from '../lib/values.js'

const rand = random(12_345)
/** Set by the first `measure` (building its letters takes a moment: not at import). */
let makeWord: ((length: number) => string) | undefined
const word = (length: number): string => makeWord!(length)
let unique = 0

const SHAPES: [string, number, (i: number) => unknown][] = [
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

const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')

interface Params {
  /** Fraction of each shape's count to store. */
  scale: number
}

export const sizeModel: Scenario<Params> = {
  id: 'size-model',
  title: 'Size model calibration (@memokit/memory)',
  summary:
    "Not a contest: how well `estimateByteSize` (what FaasCacheMap and MemoryCacheStorage count against their budget) matches the heap V8 really uses, per kind of value. Above 1.00 the model overestimates (the budget is safe); below, the heap could outgrow the budget. The entry overhead (the key, the map's own bookkeeping) is included.",
  reps: { full: 1, quick: 1, smoke: 1 },
  nodeArgs: ['--expose-gc'],
  params: { full: { scale: 1 }, quick: { scale: 0.5 }, smoke: { scale: 0.01 } },
  contestants: SHAPES.map(([name]) => ({ id: slug(name), name })),
  columns: [
    { key: 'count', label: 'values' },
    { key: 'heapBytes', label: 'heap bytes/entry' },
    { key: 'modelBytes', label: 'model bytes/entry' },
    { key: 'modelPerHeap', label: 'model / heap', digits: 2 },
  ],
  describe: (p) =>
    `per kind of value, thousands of fresh values (×${p.scale}) stored in a \`FaasCacheMap\` without a budget, each kind in a fresh process; heap = growth of heapUsed + arrayBuffers after two full GCs, per entry`,
  async measure(id, _variant, { params }) {
    const shape = SHAPES.find(([name]) => slug(name) === id)
    if (shape === undefined) throw new Error(`unknown shape ${id}`)
    const [, fullCount, make] = shape
    const count = Math.max(10, Math.round(fullCount * params.scale))
    const { FaasCacheMap } = await import('@memokit/memory')
    makeWord ??= wordMaker(rand)
    const baseline = heapNow()
    const map = new FaasCacheMap<string, unknown>({ maxSizeBytes: null, purgeInterval: false })
    for (let i = 0; i < count; i++) map.set(`key:${i}`, make(i))
    const heap = (heapNow() - baseline) / count
    const model = map.byteSize / count
    map.clear()
    return { count, heapBytes: heap, modelBytes: model, modelPerHeap: model / heap }
  },
}
