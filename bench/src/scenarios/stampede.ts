// A stampede: many concurrent calls for a few cold keys, with a slow backend. A memoizer with
// in-flight deduplication makes one backend call per key and answers everyone when it returns.
import { MEMOIZERS, memoizer } from '../contestants/memoizers.js'
import { Backend } from '../lib/backend.js'
import type { Scenario } from '../lib/scenario.js'
import { median } from '../lib/stats.js'
import { HIT_LIFETIMES } from './hits.js'

interface Params {
  keys: number
  calls: number
  backendMs: number
  /** Stampedes per process (a fresh memoizer each), the median reported. */
  rounds: number
}

export const stampede: Scenario<Params> = {
  id: 'stampede',
  title: 'Stampede on cold keys',
  summary:
    'A cold start under load: many concurrent calls arrive for a few keys that are not cached yet, and the backend is slow. Without in-flight deduplication every caller calls the backend; with it, one call per key is made and every caller gets its result. Ideal: one backend call per key, and a wall time of one backend latency.',
  reps: { full: 5, quick: 3, smoke: 1 },
  params: {
    full: { keys: 10, calls: 1_000, backendMs: 50, rounds: 5 },
    quick: { keys: 10, calls: 1_000, backendMs: 50, rounds: 3 },
    smoke: { keys: 10, calls: 100, backendMs: 5, rounds: 1 },
  },
  contestants: MEMOIZERS.map(({ id, name, floor }) =>
    floor ? { id, name, floor, na: 'a preloaded Map never misses' } : { id, name },
  ),
  columns: [
    { key: 'backendCalls', label: 'backend calls' },
    { key: 'callsPerKey', label: 'calls per key', digits: 1 },
    { key: 'wallMs', label: 'wall ms', digits: 1 },
    { key: 'wallPerLatency', label: 'wall × latency', digits: 2 },
    { key: 'failed', label: 'failed calls' },
  ],
  describe: (p) =>
    `${p.calls.toLocaleString('en')} concurrent calls (all started in the same tick) over ${p.keys} cold keys, backend latency ${p.backendMs} ms; same configuration as the hit scenarios; per process the median of ${p.rounds} stampede(s), each on a fresh memoizer; ideal: ${p.keys} backend calls, wall ≈ ${p.backendMs} ms`,
  async measure(id, _variant, { params }) {
    const rounds: { calls: number; wall: number; failed: number }[] = []
    for (let round = 0; round < params.rounds; round++) {
      const backend = new Backend(params.backendMs)
      const get = await memoizer(id).create(backend.load, HIT_LIFETIMES, [])
      const start = performance.now()
      const settled = await Promise.allSettled(
        Array.from({ length: params.calls }, async (_, i) => get(`key-${i % params.keys}`)),
      )
      const wall = performance.now() - start
      rounds.push({
        calls: backend.calls,
        wall,
        failed: settled.filter((s) => s.status === 'rejected').length,
      })
    }
    const backendCalls = median(rounds.map((r) => r.calls))
    const wallMs = median(rounds.map((r) => r.wall))
    return {
      backendCalls,
      callsPerKey: backendCalls / params.keys,
      wallMs,
      wallPerLatency: wallMs / params.backendMs,
      failed: Math.max(...rounds.map((r) => r.failed)),
    }
  },
}
