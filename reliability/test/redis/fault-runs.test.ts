// Redis faults under load from four worker processes (test plan C1, C2, C3, C7, C10): network
// faults through the TCP fault proxy between every client and a real redis-server, and process
// faults on the server itself. Every call must succeed (fail open) with a correct,
// self-certifying value, within its deadline, and the cache must be back within the
// observation window. The long command (pnpm soak) runs the same faults for longer.
import { FAULTS, faultTable, runFaults, type FaultRunReport } from '../../src/faults/fault-run'
import { builtScript } from '../support/paths'

jest.setTimeout(120_000)

let report: FaultRunReport

beforeAll(async () => {
  report = await runFaults({
    workerScript: builtScript('load/load-worker.js'),
    // The long run adds latency-400, half-open-silent and maxmemory-allkeys-lru.
    faults: [
      'latency-50',
      'blackhole',
      'reset',
      'truncate',
      'half-open',
      'half-open-silent',
      'pause',
      'kill',
      'flush',
      'maxmemory-noeviction',
    ],
    workers: 4,
    warmMs: 1_000,
    faultMs: 800,
    // Faults that cost connections get 1.5 s to recover (reconnection, breaker cooldown); a
    // silently dead connection is noticed after ioredis's socketTimeout (1 s) without data.
    recoverMs: {
      'latency-50': 800,
      flush: 800,
      'maxmemory-noeviction': 800,
      'half-open-silent': 2_500,
    },
  })
  console.log(`fault runs (4 processes × 4 loops):\n${faultTable(report)}`)
})

describe('memokit on Redis under faults, 4 processes', () => {
  it('warms up to cache hits before the faults', () => {
    expect(report.warm.failedTotal).toBe(0)
    expect(report.warm.storageHits).toBeGreaterThan(0)
  })

  it.each(FAULTS.filter((f) => !['latency-400', 'maxmemory-allkeys-lru'].includes(f)))(
    '%s: no failed call, no wrong or expired value, every call within its deadline, recovery within the window',
    (fault) => {
      const phase = report.phases.find((p) => p.fault === fault)!
      expect(phase.calls).toBeGreaterThan(100) // calls kept flowing through the fault
      expect(phase.failed).toEqual({})
      expect(phase.errors).toEqual([])
      expect(phase.wrong).toBe(0)
      expect(phase.expired).toBe(0)
      expect(phase.late).toBe(0)
      expect(phase.maxLatency).toBeLessThan(phase.deadlineMs)
      expect(phase.recoveryMs).not.toBeNull()
    },
  )

  it('injected what it says: resets, truncated replies, half-open connections, Redis faults', () => {
    const phase = (name: string) => report.phases.find((p) => p.fault === name)!
    expect(phase('reset').proxy.resets).toBeGreaterThan(0)
    expect(phase('truncate').proxy.truncated).toBeGreaterThan(0)
    expect(phase('half-open').proxy.halfOpened).toBeGreaterThan(0)
    for (const name of ['blackhole', 'reset', 'truncate', 'half-open', 'pause', 'kill'])
      expect(phase(name).storageFaults).toBeGreaterThan(0)
  })

  it('leaves no refresh in flight and no unhandled rejection in any worker', () => {
    expect(report.inFlightAfter).toEqual([0, 0, 0, 0])
    expect(report.unhandledRejections).toBe(0)
  })
})
