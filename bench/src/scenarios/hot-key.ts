// A hot key past its refresh time under a steady stream of calls: does anyone wait while the
// value is refreshed, and how many backend calls does a refresh cost?
import { setTimeout as sleep } from 'node:timers/promises'
import { MEMOIZERS, memoizer } from '../contestants/memoizers.js'
import { Backend } from '../lib/backend.js'
import type { Scenario } from '../lib/scenario.js'
import { percentile } from '../lib/stats.js'

interface Params {
  refreshAfter: number
  expireAfter: number
  backendMs: number
  durationMs: number
  /** Calls started together every `tickMs`. */
  callsPerTick: number
  tickMs: number
}

/** Refreshes a stream of `durationMs` should see: one per refresh period (refresh time + latency). */
const idealRefreshes = (p: Params): number =>
  Math.max(1, Math.floor(p.durationMs / (p.refreshAfter + p.backendMs)))

export const hotKey: Scenario<Params> = {
  id: 'hot-key',
  title: 'Hot key at refresh time',
  summary:
    'One key read by a steady stream of calls for longer than its refresh time, with a slow backend. A memoizer with a refresh model should keep answering from memory while one background call refreshes the value: every caller fast (max latency far below the backend latency) and one backend call per refresh. Contestants without a refresh model are n/a here; their callers wait at every expiry by design.',
  reps: { full: 3, quick: 2, smoke: 1 },
  params: {
    full: {
      refreshAfter: 1_000,
      expireAfter: 3_000,
      backendMs: 100,
      durationMs: 3_500,
      callsPerTick: 10,
      tickMs: 1,
    },
    quick: {
      refreshAfter: 1_000,
      expireAfter: 3_000,
      backendMs: 100,
      durationMs: 2_300,
      callsPerTick: 10,
      tickMs: 1,
    },
    smoke: {
      refreshAfter: 100,
      expireAfter: 300,
      backendMs: 5,
      durationMs: 100,
      callsPerTick: 2,
      tickMs: 1,
    },
  },
  contestants: MEMOIZERS.map(({ id, name, floor, refreshes }) =>
    refreshes === true ? { id, name } : { id, name, floor, na: refreshes },
  ),
  columns: [
    { key: 'calls', label: 'calls' },
    { key: 'backendCalls', label: 'backend calls' },
    { key: 'p50Us', label: 'p50 µs', digits: 1 },
    { key: 'p99Us', label: 'p99 µs', digits: 1 },
    { key: 'maxMs', label: 'max ms', digits: 2 },
    { key: 'waited', label: 'calls that waited' },
    { key: 'failed', label: 'failed' },
  ],
  describe: (p) =>
    `one key, refresh after ${p.refreshAfter} ms, expiry after ${p.expireAfter} ms, backend latency ${p.backendMs} ms; ${p.callsPerTick} calls started every ${p.tickMs} ms for ${p.durationMs} ms after the first (cold) call; latency is from each call to its answer; "calls that waited" took at least half the backend latency; backend calls counted during the stream (ideal: ${idealRefreshes(p)}, one per refresh period of ${p.refreshAfter} + ${p.backendMs} ms)`,
  async measure(id, _variant, { params: p }) {
    const backend = new Backend(p.backendMs)
    const get = await memoizer(id).create(
      backend.load,
      { refreshAfter: p.refreshAfter, expireAfter: p.expireAfter, maxEntries: 4096 },
      [],
    )
    await get('hot')
    backend.calls = 0
    const latencies: number[] = []
    let failed = 0
    const pending: Promise<unknown>[] = []
    const start = performance.now()
    while (performance.now() - start < p.durationMs) {
      for (let c = 0; c < p.callsPerTick; c++) {
        const t0 = performance.now()
        pending.push(
          Promise.resolve(get('hot')).then(
            () => latencies.push(performance.now() - t0),
            () => failed++,
          ),
        )
      }
      await sleep(p.tickMs)
    }
    await Promise.all(pending)
    const calls = backend.calls // refreshes started during the stream
    latencies.sort((a, b) => a - b)
    return {
      calls: pending.length,
      backendCalls: calls,
      p50Us: percentile(latencies, 50) * 1000,
      p99Us: percentile(latencies, 99) * 1000,
      maxMs: latencies.at(-1) ?? NaN,
      waited: latencies.filter((ms) => ms >= p.backendMs / 2).length,
      failed,
    }
  },
}
