// Cache hits, awaited one after another and from 100 concurrent loops: the cost a memoizer adds
// to every call once the value is cached, against a bare `Map.get` + `await`.
import { MEMOIZERS, memoizer, type Lifetimes } from '../contestants/memoizers.js'
import {
  timeConcurrent,
  timeSequential,
  type ConcurrentOptions,
  type SequentialOptions,
} from '../lib/harness.js'
import type { Scenario } from '../lib/scenario.js'

/** memokit's defaults: 4096 entries, refresh after 10 minutes, expiry after 30. */
export const HIT_LIFETIMES: Lifetimes = {
  refreshAfter: 600_000,
  expireAfter: 1_800_000,
  maxEntries: 4096,
}

/** 64 string keys, read round-robin. */
export const HIT_KEYS = Array.from({ length: 64 }, (_, i) => `user:${i}`)

const load = async (key: string): Promise<string> => `value of ${key}`

async function warmGet(id: string) {
  const get = await memoizer(id).create(load, HIT_LIFETIMES, HIT_KEYS)
  for (let round = 0; round < 2; round++) for (const key of HIT_KEYS) await get(key)
  let i = 0
  return () => get(HIT_KEYS[i++ & 63]!)
}

const contestants = MEMOIZERS.map(({ id, name, floor }) => ({ id, name, floor }))

function lifetimesLine(): string {
  return `${HIT_KEYS.length} string keys read round-robin, all cached; every contestant configured for ${HIT_LIFETIMES.maxEntries} entries, refresh after 10 min, expiry after 30 min (memokit's defaults)`
}

type SequentialParams = SequentialOptions

export const hits: Scenario<SequentialParams> = {
  id: 'hits',
  title: 'Cache hits, sequential',
  summary:
    'The cost a memoizer adds to a call whose value is cached: one caller awaits hit after hit. This is the hot path of a memoized method; it is dominated by key derivation, the lookup and the freshness check, so the floor is a bare `Map.get` awaited.',
  reps: { full: 9, quick: 3, smoke: 1 },
  params: {
    full: { samples: 9, sampleMs: 50, maxIterations: 1_000_000, warmup: 200_000, warmupMs: 500 },
    quick: { samples: 5, sampleMs: 30, maxIterations: 500_000, warmup: 100_000, warmupMs: 300 },
    smoke: { samples: 1, sampleMs: 1, maxIterations: 200, warmup: 100, warmupMs: 10 },
  },
  contestants,
  columns: [
    { key: 'nsPerOp', label: 'ns/op', digits: 1 },
    { key: 'opsPerSec', label: 'ops/s' },
  ],
  ratio: { metric: 'nsPerOp', better: 'lower', label: 'time × floor' },
  describe: (p) =>
    `${lifetimesLine()}; per process up to ${p.warmup.toLocaleString('en')} warm-up calls (${p.warmupMs} ms at most), then the fastest of ${p.samples} samples of about ${p.sampleMs} ms (at most ${p.maxIterations.toLocaleString('en')} calls)`,
  async measure(id, _variant, { params }) {
    const op = await warmGet(id)
    const nsPerOp = await timeSequential(op, params)
    return { nsPerOp, opsPerSec: 1e9 / nsPerOp }
  },
}

type ConcurrentParams = ConcurrentOptions

export const concurrentHits: Scenario<ConcurrentParams> = {
  id: 'concurrent',
  title: 'Cache hits, 100 concurrent loops',
  summary:
    'The same hits, from 100 async loops at once (a server handling many requests that read the same cached values). Interleaved awaits put more promises in flight and exercise the microtask queue rather than one tight loop.',
  reps: { full: 7, quick: 3, smoke: 1 },
  params: {
    full: { loops: 100, samples: 9, sampleMs: 50, maxOpsPerLoop: 10_000, warmupOpsPerLoop: 1_000 },
    quick: { loops: 100, samples: 5, sampleMs: 30, maxOpsPerLoop: 5_000, warmupOpsPerLoop: 500 },
    smoke: { loops: 100, samples: 1, sampleMs: 1, maxOpsPerLoop: 2, warmupOpsPerLoop: 1 },
  },
  contestants,
  columns: [
    { key: 'opsPerSec', label: 'ops/s' },
    { key: 'nsPerOp', label: 'ns/op', digits: 1 },
  ],
  ratio: { metric: 'nsPerOp', better: 'lower', label: 'time × floor' },
  describe: (p) =>
    `${lifetimesLine()}; ${p.loops} loops, each awaiting its calls one after another; per process ${p.warmupOpsPerLoop.toLocaleString('en')} warm-up calls per loop, then the fastest of ${p.samples} samples of about ${p.sampleMs} ms`,
  async measure(id, _variant, { params }) {
    const op = await warmGet(id)
    const opsPerSec = await timeConcurrent(op, params)
    return { opsPerSec, nsPerOp: 1e9 / opsPerSec }
  },
}
