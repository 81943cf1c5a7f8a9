/**
 * The messages between a load driver and its worker processes (`load-worker.js`), over the
 * `child_process.fork` IPC channel.
 */

/** How one worker process calls memokit on Redis. Durations in ms. */
export interface LoadWorkerOptions {
  /** Used in values' `gen` and in reports. */
  name: string
  /** The Redis URL (often a fault proxy's). */
  url: string
  namespace: string
  /** A memory tier in front of Redis, kept coherent by the invalidation bus. */
  twoTier: boolean
  /** Cross-process dog-pile protection (`RedisUpdateStatuses`). */
  dogPile: boolean
  operationTimeout: number
  lockLease: number
  pollInterval: number
  updateAfter: number
  expireAfter: number
  methodTimeout: number
  /** Size of the key space; keys are drawn with a Zipf distribution of exponent `zipf`. */
  keys: number
  zipf: number
  /** Concurrent call loops. */
  loops: number
  /** Pause of each loop between two operations (0: call again at once). */
  thinkMs: number
  /** Backend latency. */
  computeMs: number
  /** Payload size of the values, in bytes. */
  payloadBytes: number
  /** Fraction of backend runs that throw. */
  failRate: number
  /** Fraction of backend runs that never settle (ended by `methodTimeout`). */
  hangRate: number
  /** Fraction of operations that are `forceRefresh` calls. */
  forceRate: number
  /** Fraction of operations that are invalidations (not counted as calls). */
  invalidateRate: number
  /** A call slower than this is counted as late. */
  deadlineMs: number
  /** How often the worker reports a sample. */
  sampleMs: number
}

/** A mergeable histogram as sent over IPC. */
export interface HistogramData {
  counts: Record<number, number>
  count: number
  max: number
}

/** What one worker saw during one sample window. */
export interface Sample {
  type: 'sample'
  name: string
  /** End of the window (epoch ms). */
  t: number
  calls: number
  ok: number
  /** Failed calls by kind (`backend-failure`, `timeout`, `remote-failure`, or unexpected ones). */
  failed: Record<string, number>
  /** Values that failed their certificate (wrong key, bad digest). */
  wrong: number
  /** Values older than `expireAfter` when their call started. */
  expired: number
  /** Calls slower than `deadlineMs`. */
  late: number
  latency: HistogramData
  invalidations: number
  /** Invalidations that rejected (expected while Redis is unreachable). */
  invalidationFaults: number
  /** Backend runs started, and how many of them hang. */
  computations: number
  hung: number
  /** Deltas of the Redis storage counters. */
  storageHits: number
  storageFaults: number
  storageCorrupt: number
  /** Memory-tier hits (two-tier only). */
  localHits: number
  /** Keys with a refresh in flight in this process now. */
  inFlight: number
  rss: number
  heapUsed: number
  /** Event-loop delay over the window: how late a 10 ms timer fired (ms). */
  loopDelayP99: number
  loopDelayMax: number
  /** Unexpected errors seen (first few messages). */
  errors: string[]
}

/** Sent once the loops stopped and the in-flight state drained. */
export interface Stopped {
  type: 'stopped'
  name: string
  /** Refreshes still in flight after the drain (must be 0). */
  inFlight: number
  /** Event-loop delay since `mark-warm`: how late a 10 ms timer fired (ms). */
  loopDelayP99: number
  loopDelayMax: number
  storage: Record<string, number>
  statuses: Record<string, number> | undefined
  twoTier: Record<string, number> | undefined
  unhandledRejections: number
}

export type WorkerCommand =
  { cmd: 'start' } | { cmd: 'mark-warm' } | { cmd: 'stop'; drainMs: number } | { cmd: 'exit' }

export type WorkerMessage = { type: 'ready'; name: string; pid: number } | Sample | Stopped
