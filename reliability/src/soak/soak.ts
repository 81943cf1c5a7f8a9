import { randomBytes } from 'node:crypto'
import { startRedisServer } from '@memokit/redis/testing'
import { round, slope } from '../figures.js'
import {
  recoveryTime,
  startLoadWorkers,
  windowFigures,
  type LoadWorker,
  type WindowFigures,
} from '../load/load-driver.js'
import type { LoadWorkerOptions, Stopped } from '../load/protocol.js'

export interface SoakOptions {
  /** Path of the built `load-worker.js`. */
  workerScript: string
  /** @default 10 */
  minutes?: number
  /** Worker processes; half of them use a memory tier in front of Redis. @default 4 */
  workers?: number
  /** Target operations per second per worker. @default 250 */
  ratePerWorker?: number
  /** Redis is killed and restarted (empty) this often. @default 120 */
  restartEverySeconds?: number
  /** How long Redis stays down at each restart. @default 2 */
  downSeconds?: number
  /** Progress lines. */
  log?: (line: string) => void
}

/** What one worker process did during the soak. */
export interface SoakWorkerReport {
  name: string
  twoTier: boolean
  figures: WindowFigures
  /** RSS at the end of the warm-up and at the end, in MB. */
  rssAfterWarmMb: number
  rssEndMb: number
  /** Least-squares slopes after the warm-up, MB per minute. */
  rssSlopeMbPerMin: number
  heapSlopeMbPerMin: number
  /** Event-loop delay since the warm-up (ms). */
  loopDelayP99: number
  loopDelayMax: number
  /** Refreshes still in flight once the load stopped and hung runs timed out (must be 0). */
  inFlightAfter: number
  unhandledRejections: number
  final: Stopped
}

export interface SoakReport {
  minutes: number
  warmUpSeconds: number
  workers: SoakWorkerReport[]
  totals: WindowFigures
  /**
   * Redis restarts: when it was killed (s since start), how long it was down, and the time from
   * its restart until every process had a 250 ms sample window with Redis hits and no Redis
   * faults (ms; null when not within 30 s).
   */
  restarts: { atSeconds: number; downMs: number; recoveryMs: number | null }[]
  settings: Omit<LoadWorkerOptions, 'name' | 'url' | 'namespace' | 'twoTier'>
  durationMs: number
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const MB = 1024 * 1024

/**
 * Runs memokit on Redis (and on a memory tier in front of it) from several worker processes
 * for `minutes`: mixed operations over a Zipf key space (90% reads, 5% forced refreshes, 5%
 * invalidations), 1% failing and 0.1% hanging backend runs, Redis killed and restarted empty
 * every `restartEverySeconds`. Reports, per process, the memory slope after the warm-up, the
 * event-loop delay, calls, failures by kind, wrong values and what was left in flight.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const {
    workerScript,
    minutes = 10,
    workers: workerCount = 4,
    ratePerWorker = 250,
    restartEverySeconds = 120,
    downSeconds = 2,
    log = () => {},
  } = options
  const durationMs = minutes * 60_000
  const warmUpMs = Math.min(60_000, Math.round(durationMs * 0.2))
  const loops = 8
  const settings = {
    dogPile: true,
    operationTimeout: 250,
    lockLease: 2_000,
    pollInterval: 200,
    updateAfter: 20_000,
    expireAfter: 60_000,
    methodTimeout: 1_000,
    keys: 5_000,
    zipf: 0.99,
    loops,
    thinkMs: Math.max(1, Math.round((loops * 1000) / ratePerWorker) - 2),
    computeMs: 10,
    payloadBytes: 512,
    failRate: 0.01,
    hangRate: 0.001,
    forceRate: 0.05,
    invalidateRate: 0.05,
    // A call may wait for a hung run (methodTimeout) plus a few Redis operation deadlines.
    deadlineMs: 1_000 + 4 * 250 + 1_000,
    sampleMs: 250,
  }
  const began = Date.now()
  const server = await startRedisServer()
  const namespace = `soak-${randomBytes(4).toString('hex')}`
  let workers: LoadWorker[] = []
  try {
    workers = await startLoadWorkers(workerScript, workerCount, (i) => ({
      ...settings,
      name: `w${i}`,
      url: server.url,
      namespace,
      twoTier: i % 2 === 1,
    }))
    const start = Date.now()
    for (const worker of workers) worker.send({ cmd: 'start' })
    const restarts: SoakReport['restarts'] = []
    const restartedAt: number[] = []
    let warmMarked = false
    let nextRestart = start + restartEverySeconds * 1000
    let nextProgress = start + 30_000
    let lastProgress = start
    while (Date.now() - start < durationMs) {
      await sleep(250)
      const now = Date.now()
      if (!warmMarked && now - start >= warmUpMs) {
        warmMarked = true
        for (const worker of workers) worker.send({ cmd: 'mark-warm' })
        log(`warm-up over after ${Math.round(warmUpMs / 1000)} s`)
      }
      if (now >= nextRestart && now - start < durationMs - 20_000) {
        nextRestart += restartEverySeconds * 1000
        const killedAt = Date.now()
        await server.kill()
        await sleep(downSeconds * 1000)
        await server.restart()
        const back = Date.now()
        restartedAt.push(back)
        restarts.push({
          atSeconds: round((killedAt - start) / 1000, 1),
          downMs: back - killedAt,
          recoveryMs: null,
        })
        log(
          `Redis killed at ${round((killedAt - start) / 1000)} s, back after ${back - killedAt} ms`,
        )
      }
      if (now >= nextProgress) {
        nextProgress += 30_000
        const w = windowFigures(workers, lastProgress, now)
        const rss = workers.map((worker) => round((worker.samples.at(-1)?.rss ?? 0) / MB))
        log(
          `${round((now - start) / 60_000, 1)} min: ${round(w.calls / ((now - lastProgress) / 1000))} calls/s, ` +
            `failed ${JSON.stringify(w.failed)}, wrong ${w.wrong}, expired ${w.expired}, late ${w.late}, ` +
            `p99 ${round(w.p99)} ms, RSS MB ${rss.join('/')}`,
        )
        lastProgress = now
      }
    }
    const end = Date.now()
    const finals = await Promise.all(workers.map((worker) => worker.stop(10_000)))
    restarts.forEach((restart, i) => {
      const back = restartedAt[i]!
      const recovery = recoveryTime(workers, back, back + 30_000)
      restart.recoveryMs = recovery === undefined ? null : recovery
    })
    const warmEnd = start + warmUpMs
    const reports = workers.map((worker, i): SoakWorkerReport => {
      const after = worker.samples.filter((s) => s.t > warmEnd && s.t <= end)
      const minutesOf = (t: number): number => (t - start) / 60_000
      const final = finals[i]!
      return {
        name: worker.name,
        twoTier: i % 2 === 1,
        figures: windowFigures([worker], start, Number.MAX_SAFE_INTEGER),
        rssAfterWarmMb: round((after[0]?.rss ?? 0) / MB, 1),
        rssEndMb: round((after.at(-1)?.rss ?? 0) / MB, 1),
        rssSlopeMbPerMin: round(slope(after.map((s) => [minutesOf(s.t), s.rss / MB])), 3),
        heapSlopeMbPerMin: round(slope(after.map((s) => [minutesOf(s.t), s.heapUsed / MB])), 3),
        loopDelayP99: round(final.loopDelayP99, 1),
        loopDelayMax: round(final.loopDelayMax, 1),
        inFlightAfter: final.inFlight,
        unhandledRejections: final.unhandledRejections,
        final,
      }
    })
    return {
      minutes,
      warmUpSeconds: warmUpMs / 1000,
      workers: reports,
      totals: windowFigures(workers, start, Number.MAX_SAFE_INTEGER),
      restarts,
      settings,
      durationMs: Date.now() - began,
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.exit()))
    await server.stop()
  }
}

/** Markdown tables of a soak report. */
export function soakTables(report: SoakReport): string {
  const lines = [
    '| process | storage | calls | failed (by kind) | wrong | expired | late | p99 ms | RSS after warm-up → end MB | RSS slope MB/min | heap slope MB/min | event-loop delay p99 / max ms | max in flight | in flight after |',
    '|---|---|---:|---|---:|---:|---:|---:|---|---:|---:|---|---:|---:|',
  ]
  for (const w of report.workers)
    lines.push(
      `| ${w.name} | ${w.twoTier ? 'two-tier' : 'Redis'} | ${w.figures.calls} | ${w.figures.failedTotal} ${JSON.stringify(w.figures.failed)} | ${w.figures.wrong} | ${w.figures.expired} | ${w.figures.late} | ${round(w.figures.p99)} | ${w.rssAfterWarmMb} → ${w.rssEndMb} | ${w.rssSlopeMbPerMin} | ${w.heapSlopeMbPerMin} | ${w.loopDelayP99} / ${w.loopDelayMax} | ${w.figures.maxInFlight} | ${w.inFlightAfter} |`,
    )
  lines.push(
    '',
    '| Redis killed at (s) | down (ms) | back to hits in every process (ms) |',
    '|---:|---:|---:|',
  )
  for (const r of report.restarts)
    lines.push(`| ${r.atSeconds} | ${r.downMs} | ${r.recoveryMs ?? 'not within 30 s'} |`)
  return lines.join('\n')
}
