import { randomBytes } from 'node:crypto'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'
import { FaultProxy } from '../fault-proxy.js'
import { round } from '../figures.js'
import {
  recoveryTime,
  startLoadWorkers,
  windowFigures,
  type LoadWorker,
  type WindowFigures,
} from '../load/load-driver.js'
import type { LoadWorkerOptions } from '../load/protocol.js'

/** The faults a run can inject, in the order they run. */
export const FAULTS = [
  'latency-50',
  'latency-400',
  'blackhole',
  'reset',
  'truncate',
  'half-open',
  'half-open-silent',
  'pause',
  'kill',
  'flush',
  'maxmemory-noeviction',
  'maxmemory-allkeys-lru',
] as const
export type FaultName = (typeof FAULTS)[number]

/** What each fault does, for reports. */
export const FAULT_DESCRIPTIONS: Record<FaultName, string> = {
  'latency-50': 'proxy adds 50 ms each way (round trip +100 ms, under operationTimeout)',
  'latency-400': 'proxy adds 400 ms each way (round trip +800 ms, over operationTimeout)',
  blackhole: 'proxy delivers nothing either way, holds the bytes, delivers them on heal',
  reset: 'proxy sends RST on every open and new connection',
  truncate: 'proxy cuts every reply short (at most 8 bytes), then closes the connection',
  'half-open':
    'proxy closes the server side, keeps the client side open and silent; RST on first use after heal',
  'half-open-silent':
    'as half-open, but the dead connections stay silent after heal (no RST): only timeouts can tell',
  pause: 'redis-server SIGSTOPped, SIGCONT on heal',
  kill: 'redis-server SIGKILLed, restarted empty on heal',
  flush: 'FLUSHALL at the start of the phase (locks and entries gone)',
  'maxmemory-noeviction': 'maxmemory 1 byte, noeviction: every write answers OOM; reads still work',
  'maxmemory-allkeys-lru':
    'maxmemory just above current use, allkeys-lru: entries and lock keys evicted under writes',
}

export interface FaultRunOptions {
  /** Path of the built `load-worker.js`. */
  workerScript: string
  /** Faults to run. @default FAULTS */
  faults?: readonly FaultName[]
  /** Worker processes. @default 4 */
  workers?: number
  /** Call loops per worker. @default 4 */
  loops?: number
  /** Pause of each loop between calls. @default 4 */
  thinkMs?: number
  /** Load before the first fault. @default 1500 */
  warmMs?: number
  /** How long each fault lasts. @default 1500 */
  faultMs?: number
  /**
   * Observation after each fault ends (recovery must happen within it), for every fault or per
   * fault (others: 1500). @default 1500
   */
  recoverMs?: number | Partial<Record<FaultName, number>>
  /** Redis operation deadline. @default 250 */
  operationTimeout?: number
  /** Worker sample window. @default 50 */
  sampleMs?: number
  /** Progress lines. */
  log?: (line: string) => void
}

/** Figures of one fault phase: from the fault's start to the end of its observation. */
export interface FaultPhaseReport extends WindowFigures {
  fault: FaultName
  description: string
  faultMs: number
  /** The budget every call must meet: 4 × operationTimeout + computeMs + 1 s of slack. */
  deadlineMs: number
  /** From the end of the fault to cache hits in every worker; null if not within recoverMs. */
  recoveryMs: number | null
  proxy: { resets: number; truncated: number; halfOpened: number }
}

export interface FaultRunReport {
  workers: number
  loopsPerWorker: number
  operationTimeout: number
  computeMs: number
  deadlineMs: number
  warm: WindowFigures
  phases: FaultPhaseReport[]
  /** Refreshes left in flight per worker after the drain (must all be 0). */
  inFlightAfter: number[]
  unhandledRejections: number
  durationMs: number
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

interface Fault {
  apply(): Promise<void> | void
  heal(): Promise<void> | void
}

function faultOf(name: FaultName, server: RedisServer, proxy: FaultProxy): Fault {
  switch (name) {
    case 'latency-50':
      return { apply: () => proxy.set('latency', { latency: 50 }), heal: () => proxy.heal() }
    case 'latency-400':
      return { apply: () => proxy.set('latency', { latency: 400 }), heal: () => proxy.heal() }
    case 'blackhole':
    case 'reset':
    case 'truncate':
    case 'half-open':
      return { apply: () => proxy.set(name, { truncateAfter: 8 }), heal: () => proxy.heal() }
    case 'half-open-silent':
      return {
        apply: () => proxy.set('half-open', { silentAfterHeal: true }),
        heal: () => proxy.heal(),
      }
    case 'pause':
      return { apply: () => server.pause(), heal: () => server.resume() }
    case 'kill':
      return { apply: () => server.kill(), heal: () => server.restart() }
    case 'flush':
      return {
        apply: async () => {
          await server.cli(['FLUSHALL'])
        },
        heal: () => {},
      }
    case 'maxmemory-noeviction':
      return {
        apply: async () => {
          await server.cli(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'])
          await server.cli(['CONFIG', 'SET', 'maxmemory', '1'])
        },
        heal: async () => {
          await server.cli(['CONFIG', 'SET', 'maxmemory', '0'])
        },
      }
    case 'maxmemory-allkeys-lru':
      return {
        apply: async () => {
          const info = await server.cli(['INFO', 'memory'])
          const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 2_000_000)
          await server.cli(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'])
          await server.cli(['CONFIG', 'SET', 'maxmemory', String(used + 64 * 1024)])
        },
        heal: async () => {
          await server.cli(['CONFIG', 'SET', 'maxmemory', '0'])
          await server.cli(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'])
        },
      }
  }
}

/**
 * Runs memokit on Redis under load from several processes while faults are injected one after
 * the other — network faults through a {@link FaultProxy} between every client and a real
 * redis-server, process faults on the server itself — and reports, per fault: failed calls,
 * wrong values, expired values, calls over the deadline, latency, recovery time.
 */
export async function runFaults(options: FaultRunOptions): Promise<FaultRunReport> {
  const {
    workerScript,
    faults = FAULTS,
    workers: workerCount = 4,
    loops = 4,
    thinkMs = 4,
    warmMs = 1_500,
    faultMs = 1_500,
    recoverMs = 1_500,
    operationTimeout = 250,
    sampleMs = 50,
    log = () => {},
  } = options
  const computeMs = 5
  const deadlineMs = 4 * operationTimeout + computeMs + 1_000
  const began = Date.now()
  const server = await startRedisServer()
  const proxy = await FaultProxy({ target: { port: server.port } }).start()
  const namespace = `faults-${randomBytes(4).toString('hex')}`
  let workers: LoadWorker[] = []
  try {
    workers = await startLoadWorkers(workerScript, workerCount, (i): LoadWorkerOptions => ({
      name: `w${i}`,
      url: proxy.url,
      namespace,
      twoTier: false,
      dogPile: true,
      operationTimeout,
      lockLease: 1_000,
      pollInterval: 100,
      updateAfter: 2_000,
      expireAfter: 10_000,
      methodTimeout: 5_000,
      keys: 200,
      zipf: 0.99,
      loops,
      thinkMs,
      computeMs,
      payloadBytes: 256,
      failRate: 0,
      hangRate: 0,
      forceRate: 0,
      invalidateRate: 0,
      deadlineMs,
      sampleMs,
    }))
    for (const worker of workers) worker.send({ cmd: 'start' })
    const warmStart = Date.now()
    await sleep(warmMs)
    const warm = windowFigures(workers, warmStart, Date.now())
    log(`warm: ${warm.calls} calls, ${warm.storageHits} Redis hits`)

    const phases: FaultPhaseReport[] = []
    for (const name of faults) {
      const fault = faultOf(name, server, proxy)
      const before = proxy.stats()
      const start = Date.now()
      await fault.apply()
      await sleep(faultMs)
      await fault.heal()
      const healedAt = Date.now()
      await sleep(typeof recoverMs === 'number' ? recoverMs : (recoverMs[name] ?? 1_500))
      const end = Date.now()
      const after = proxy.stats()
      const figures = windowFigures(workers, start, end)
      const recovery = recoveryTime(workers, name === 'flush' ? start : healedAt, end)
      phases.push({
        fault: name,
        description: FAULT_DESCRIPTIONS[name],
        faultMs: healedAt - start,
        deadlineMs,
        recoveryMs: recovery === undefined ? null : recovery,
        proxy: {
          resets: after.resets - before.resets,
          truncated: after.truncated - before.truncated,
          halfOpened: after.halfOpened - before.halfOpened,
        },
        ...figures,
      })
      log(
        `${name}: ${figures.calls} calls, ${figures.failedTotal} failed, ${figures.wrong} wrong, ` +
          `max ${round(figures.maxLatency)} ms, recovery ${recovery === undefined ? '-' : `${round(recovery)} ms`}`,
      )
    }
    const stopped = await Promise.all(workers.map((w) => w.stop(10_000)))
    return {
      workers: workerCount,
      loopsPerWorker: loops,
      operationTimeout,
      computeMs,
      deadlineMs,
      warm,
      phases,
      inFlightAfter: stopped.map((s) => s.inFlight),
      unhandledRejections: stopped.reduce((n, s) => n + s.unhandledRejections, 0),
      durationMs: Date.now() - began,
    }
  } finally {
    await Promise.all(workers.map((w) => w.exit()))
    await proxy.close()
    await server.stop()
  }
}

/** A markdown table of a fault run. */
export function faultTable(report: FaultRunReport): string {
  const lines = [
    '| fault | calls | failed | wrong | expired | late | p99 ms | max ms | deadline ms | Redis faults | recovery ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const p of report.phases)
    lines.push(
      `| ${p.fault} | ${p.calls} | ${p.failedTotal} | ${p.wrong} | ${p.expired} | ${p.late} | ${round(p.p99)} | ${round(p.maxLatency)} | ${p.deadlineMs} | ${p.storageFaults} | ${p.recoveryMs === null ? 'not within the window' : round(p.recoveryMs)} |`,
    )
  return lines.join('\n')
}
