// Decoding a cached entry read from Redis: what a Redis hit spends in the SerDe, against a plain
// JSON.parse of the same bytes. It isolates the largest cost a Redis hit adds to the raw floor.
import { timeSequential, type SequentialOptions } from '../lib/harness.js'
import type { Scenario } from '../lib/scenario.js'
import { user } from './redis-hits.js'

const ENTRY = {
  created: Date.UTC(2024, 0, 1),
  updateAfter: Date.UTC(2024, 0, 1) + 600_000,
  expiresAfter: Date.UTC(2024, 0, 1) + 1_800_000,
  value: user(42),
}

export const serde: Scenario<SequentialOptions> = {
  id: 'serde',
  title: 'Decoding a cached entry',
  summary:
    "The part of a Redis hit spent turning the stored bytes back into an entry, measured alone: memokit's SerDes against a plain `JSON.parse` of the same bytes (what a hand-written cache does). The bytes are a `Buffer`, as a Redis storage receives them.",
  reps: { full: 5, quick: 3, smoke: 1 },
  params: {
    full: { samples: 9, sampleMs: 50, maxIterations: 200_000, warmup: 20_000, warmupMs: 300 },
    quick: { samples: 5, sampleMs: 30, maxIterations: 100_000, warmup: 10_000, warmupMs: 200 },
    smoke: { samples: 1, sampleMs: 1, maxIterations: 20, warmup: 10, warmupMs: 10 },
  },
  contestants: [
    { id: 'floor', name: 'floor: JSON.parse(buffer.toString())', floor: true },
    { id: 'json', name: 'memokit JsonSerDe.deserialize' },
    { id: 'superjson', name: 'memokit SuperJsonSerDe.deserialize (the default)' },
  ],
  columns: [
    { key: 'nsPerOp', label: 'ns/entry' },
    { key: 'bytes', label: 'bytes' },
  ],
  ratio: { metric: 'nsPerOp', better: 'lower', label: 'time × floor' },
  describe: (p) =>
    `one cache entry whose value is the ~300-byte record of the Redis scenarios, encoded by the SerDe under test (the floor parses JsonSerDe's bytes); per process the fastest of ${p.samples} samples of about ${p.sampleMs} ms`,
  async measure(id, _variant, { params }) {
    const { JsonSerDe, SuperJsonSerDe } = await import('@memokit/core')
    const codec = id === 'superjson' ? new SuperJsonSerDe() : new JsonSerDe()
    const bytes = Buffer.from(codec.serialize(ENTRY))
    let sink = 0
    const decode =
      id === 'floor'
        ? () => JSON.parse(bytes.toString()) as unknown
        : () => codec.deserialize(bytes)
    const nsPerOp = await timeSequential(() => {
      if (decode() !== undefined) sink++
    }, params)
    if (sink < 0) console.log(sink)
    return { nsPerOp, bytes: bytes.length }
  },
}
