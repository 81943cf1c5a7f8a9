// A worker process for the fault runs and the soak: loops calling a memoized function on Redis
// with self-certifying values, reporting what it saw every `sampleMs`.
//
//   node reliability/dist/load/load-worker.js '<LoadWorkerOptions as JSON>'
//
// Driven over IPC by load-driver.ts: 'start', 'mark-warm', 'stop', 'exit'.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  CachedMethodFailedError,
  forceRefresh,
  invalidate,
  memoize,
  MethodTimeoutError,
  cacheControl,
  type MemoizedMethod,
} from '@memokit/core'
import {
  createRedisClient,
  RedisCacheConfiguration,
  RedisCacheStorage,
  RedisInvalidationBus,
  RedisUpdateStatuses,
  RemoteRefreshError,
  TwoTierCacheStorage,
} from '@memokit/redis'
import { certificateProblem, certify, type CertifiedValue } from '../certified.js'
import { LatencyHistogram, zipfSampler } from '../figures.js'
import type {
  LoadWorkerOptions,
  Sample,
  Stopped,
  WorkerCommand,
  WorkerMessage,
} from './protocol.js'

const options = JSON.parse(process.argv[2] ?? '{}') as LoadWorkerOptions
const send = (message: WorkerMessage): void => {
  if (process.connected) process.send?.(message)
}

let unhandledRejections = 0
process.on('unhandledRejection', (reason) => {
  unhandledRejections++
  window.errors.add(`unhandledRejection: ${String(reason)}`.slice(0, 300))
})

/** A failure the backend was told to produce. */
class BackendFailure extends Error {
  override readonly name = 'BackendFailure'
}

const client = createRedisClient(options.url, { connectionName: options.name })
const remote = new RedisCacheStorage({
  client,
  namespace: options.namespace,
  operationTimeout: options.operationTimeout,
})
const bus = options.twoTier
  ? new RedisInvalidationBus({
      client,
      namespace: options.namespace,
      operationTimeout: options.operationTimeout,
    })
  : undefined
const twoTier = bus === undefined ? undefined : new TwoTierCacheStorage({ remote, bus })
const statuses = options.dogPile
  ? new RedisUpdateStatuses({
      client,
      namespace: options.namespace,
      operationTimeout: options.operationTimeout,
      lockLease: options.lockLease,
      pollInterval: options.pollInterval,
    })
  : undefined
const configuration = RedisCacheConfiguration({
  client,
  storage: twoTier ?? remote,
  updateAfter: options.updateAfter,
  expireAfter: options.expireAfter,
  methodTimeout: options.methodTimeout,
})

let computations = 0
let hung = 0
const compute = memoize(
  async function compute(key: string): Promise<CertifiedValue> {
    const run = ++computations
    const draw = Math.random()
    if (draw < options.hangRate) {
      hung++
      return new Promise<never>(() => {}) // never settles: the method timeout ends the call
    }
    if (options.computeMs > 0) await sleep(options.computeMs)
    if (draw < options.hangRate + options.failRate)
      throw new BackendFailure(`backend failed for ${key}`)
    return certify(key, `${options.name}:${run}`, options.payloadBytes)
  },
  { configuration, updateStatuses: statuses, name: 'Reliability.compute' },
)
const engine = cacheControl(compute) as MemoizedMethod

/** The counters of the current sample window. */
const window = {
  calls: 0,
  ok: 0,
  failed: {} as Record<string, number>,
  wrong: 0,
  expired: 0,
  late: 0,
  latency: new LatencyHistogram(),
  invalidations: 0,
  invalidationFaults: 0,
  errors: new Set<string>(),
}

function failureKind(error: unknown): string {
  const cause = error instanceof CachedMethodFailedError ? error.cause : error
  if (cause instanceof BackendFailure) return 'backend-failure'
  if (cause instanceof MethodTimeoutError) return 'timeout'
  if (cause instanceof RemoteRefreshError) {
    if (cause.remoteName === 'BackendFailure') return 'remote-failure'
    if (cause.remoteName === 'MethodTimeoutError') return 'remote-timeout'
  }
  return 'unexpected'
}

async function call(key: string, forced: boolean): Promise<void> {
  const startedAt = Date.now()
  const started = performance.now()
  try {
    const value = forced ? await forceRefresh(() => compute(key)) : await compute(key)
    const problem = certificateProblem(key, value)
    if (problem !== undefined) {
      window.wrong++
      window.errors.add(`wrong value for ${key}: ${problem}`)
    } else if (value.at + options.expireAfter < startedAt) window.expired++
    else window.ok++
  } catch (error) {
    const kind = failureKind(error)
    window.failed[kind] = (window.failed[kind] ?? 0) + 1
    if (kind === 'unexpected') {
      const cause = error instanceof CachedMethodFailedError ? error.cause : error
      window.errors.add(`${String(error)} / cause: ${String(cause)}`.slice(0, 300))
    }
  }
  const latency = performance.now() - started
  window.calls++
  window.latency.record(latency)
  if (latency > options.deadlineMs) window.late++
}

async function invalidateKey(key: string): Promise<void> {
  window.invalidations++
  try {
    await invalidate(() => compute(key))
  } catch {
    window.invalidationFaults++ // a release that Redis could not confirm: expected in outages
  }
}

const nextKey = zipfSampler(options.keys, options.zipf)
let running = false
const loops: Promise<void>[] = []

async function loop(): Promise<void> {
  while (running) {
    const key = `k${nextKey()}`
    const draw = Math.random()
    if (draw < options.invalidateRate) await invalidateKey(key)
    else await call(key, draw < options.invalidateRate + options.forceRate)
    if (options.thinkMs > 0) await sleep(options.thinkMs)
  }
}

// Event-loop delay: per window, and since the warm-up ended. The histograms record the interval
// between two ticks of a RESOLUTION ms timer; the delay is how much longer than RESOLUTION it was.
const RESOLUTION = 10
const windowDelay = monitorEventLoopDelay({ resolution: RESOLUTION })
windowDelay.enable()
const runDelay = monitorEventLoopDelay({ resolution: RESOLUTION })
runDelay.enable()
const lateBy = (nanoseconds: number): number => Math.max(0, nanoseconds / 1e6 - RESOLUTION)

let last = { hits: 0, faults: 0, corrupt: 0, localHits: 0, computations: 0, hung: 0 }
function sample(): void {
  const storage = remote.stats()
  const local = twoTier?.stats().localHits ?? 0
  const memory = process.memoryUsage()
  const message: Sample = {
    type: 'sample',
    name: options.name,
    t: Date.now(),
    calls: window.calls,
    ok: window.ok,
    failed: window.failed,
    wrong: window.wrong,
    expired: window.expired,
    late: window.late,
    latency: window.latency.toJSON(),
    invalidations: window.invalidations,
    invalidationFaults: window.invalidationFaults,
    computations: computations - last.computations,
    hung: hung - last.hung,
    storageHits: storage.hits - last.hits,
    storageFaults: storage.faults - last.faults,
    storageCorrupt: storage.corrupt - last.corrupt,
    localHits: local - last.localHits,
    inFlight: engine.refreshesInFlight,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    loopDelayP99: windowDelay.count > 0 ? lateBy(windowDelay.percentile(99)) : 0,
    loopDelayMax: windowDelay.count > 0 ? lateBy(windowDelay.max) : 0,
    errors: [...window.errors].slice(0, 5),
  }
  last = {
    hits: storage.hits,
    faults: storage.faults,
    corrupt: storage.corrupt,
    localHits: local,
    computations,
    hung,
  }
  windowDelay.reset()
  window.calls = 0
  window.ok = 0
  window.failed = {}
  window.wrong = 0
  window.expired = 0
  window.late = 0
  window.latency = new LatencyHistogram()
  window.invalidations = 0
  window.invalidationFaults = 0
  window.errors.clear()
  send(message)
}
let sampler: ReturnType<typeof setInterval> | undefined

async function stop(drainMs: number): Promise<void> {
  running = false
  await Promise.all(loops.splice(0))
  // Hung backend runs end at the method timeout; wait for the in-flight state to drain.
  const deadline = Date.now() + drainMs
  while (engine.refreshesInFlight > 0 && Date.now() < deadline) await sleep(20)
  await engine.settle()
  if (sampler !== undefined) clearInterval(sampler)
  sample()
  const stopped: Stopped = {
    type: 'stopped',
    name: options.name,
    inFlight: engine.refreshesInFlight,
    loopDelayP99: runDelay.count > 0 ? lateBy(runDelay.percentile(99)) : 0,
    loopDelayMax: runDelay.count > 0 ? lateBy(runDelay.max) : 0,
    storage: { ...remote.stats() },
    statuses: statuses === undefined ? undefined : { ...statuses.stats() },
    twoTier: twoTier === undefined ? undefined : { ...twoTier.stats() },
    unhandledRejections,
  }
  send(stopped)
}

process.on('message', (message: WorkerCommand) => {
  switch (message.cmd) {
    case 'start':
      if (running) return
      running = true
      for (let i = 0; i < options.loops; i++) loops.push(loop())
      sampler = setInterval(sample, options.sampleMs)
      return
    case 'mark-warm':
      runDelay.reset()
      return
    case 'stop':
      void stop(message.drainMs)
      return
    case 'exit':
      void (async () => {
        await statuses?.close()
        await bus?.close()
        client.disconnect()
        process.exit(0)
      })()
      return
  }
})
process.on('disconnect', () => process.exit(0))

client.once('ready', () => {
  void (async () => {
    if (bus !== undefined) await bus.ready()
    send({ type: 'ready', name: options.name, pid: process.pid })
  })()
})
