import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { LatencyHistogram, sumOf } from '../figures.js'
import type {
  LoadWorkerOptions,
  Sample,
  Stopped,
  WorkerCommand,
  WorkerMessage,
} from './protocol.js'

/** One worker process (`load-worker.js`) and the samples it sent. */
export class LoadWorker {
  readonly name: string
  readonly samples: Sample[] = []
  readonly #child: ChildProcess
  readonly #listeners = new Set<(message: WorkerMessage) => void>()
  stderr = ''

  private constructor(name: string, child: ChildProcess) {
    this.name = name
    this.#child = child
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (this.stderr = (this.stderr + String(chunk)).slice(-8000)),
    )
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'sample') this.samples.push(message)
      for (const listener of [...this.#listeners]) listener(message)
    })
  }

  /** Forks `script` with `options` and waits until its Redis client is connected. */
  static async start(
    script: string,
    options: LoadWorkerOptions,
    timeout = 30_000,
  ): Promise<LoadWorker> {
    if (!existsSync(script))
      throw new Error(`${script} is missing: build the reliability package first (tsc -b)`)
    const child = fork(script, [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      execArgv: ['--unhandled-rejections=throw'],
    })
    const worker = new LoadWorker(options.name, child)
    await worker.next((m) => m.type === 'ready', timeout)
    return worker
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  send(command: WorkerCommand): void {
    if (this.#child.connected) this.#child.send(command)
  }

  onMessage(listener: (message: WorkerMessage) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** The next message matching `match`. */
  next<M extends WorkerMessage>(
    match: (message: WorkerMessage) => boolean,
    timeout: number,
  ): Promise<M> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null): void => {
        cleanup()
        reject(new Error(`worker ${this.name} exited (${code ?? signal})\n${this.stderr}`))
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(
          new Error(`no message from worker ${this.name} within ${timeout} ms\n${this.stderr}`),
        )
      }, timeout)
      const off = this.onMessage((message) => {
        if (!match(message)) return
        cleanup()
        resolve(message as M)
      })
      const cleanup = (): void => {
        clearTimeout(timer)
        off()
        this.#child.off('exit', onExit)
      }
      this.#child.once('exit', onExit)
    })
  }

  /** Stops its loops; resolves with its final report once its in-flight state drained. */
  async stop(drainMs: number): Promise<Stopped> {
    const stopped = this.next<Stopped>((m) => m.type === 'stopped', drainMs + 30_000)
    this.send({ cmd: 'stop', drainMs })
    return stopped
  }

  /** Asks it to exit (closing its Redis connections), or kills it after two seconds. */
  async exit(): Promise<void> {
    if (!this.alive) return
    const exited = new Promise((resolve) => this.#child.once('exit', resolve))
    this.send({ cmd: 'exit' })
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 2_000)
    await exited
    clearTimeout(timer)
  }
}

/** Starts `count` workers in parallel. */
export async function startLoadWorkers(
  script: string,
  count: number,
  options: (index: number) => LoadWorkerOptions,
): Promise<LoadWorker[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => LoadWorker.start(script, options(i))),
  )
  const failed = started.find((s) => s.status === 'rejected')
  if (failed !== undefined) {
    await Promise.all(
      started.map((s) => (s.status === 'fulfilled' ? s.value.exit() : Promise.resolve())),
    )
    throw failed.reason
  }
  return started.map((s) => (s as PromiseFulfilledResult<LoadWorker>).value)
}

/** What a set of workers saw over a time window, merged. */
export interface WindowFigures {
  calls: number
  ok: number
  failed: Record<string, number>
  failedTotal: number
  /** Failed calls of kinds not injected on purpose (must be 0). */
  unexpectedFailures: number
  wrong: number
  expired: number
  late: number
  p50: number
  p99: number
  maxLatency: number
  computations: number
  hung: number
  storageHits: number
  storageFaults: number
  storageCorrupt: number
  localHits: number
  invalidations: number
  invalidationFaults: number
  maxInFlight: number
  errors: string[]
}

const EXPECTED_FAILURES = new Set([
  'backend-failure',
  'timeout',
  'remote-failure',
  'remote-timeout',
])

/** Merges the samples with `from < t <= to` of every worker. */
export function windowFigures(
  workers: readonly LoadWorker[],
  from: number,
  to: number,
): WindowFigures {
  const samples = workers.flatMap((w) => w.samples.filter((s) => s.t > from && s.t <= to))
  const latency = new LatencyHistogram()
  const failed: Record<string, number> = {}
  for (const s of samples) {
    latency.merge(s.latency)
    for (const [kind, n] of Object.entries(s.failed)) failed[kind] = (failed[kind] ?? 0) + n
  }
  const failedTotal = sumOf(Object.values(failed), (n) => n)
  return {
    calls: sumOf(samples, (s) => s.calls),
    ok: sumOf(samples, (s) => s.ok),
    failed,
    failedTotal,
    unexpectedFailures: sumOf(
      Object.entries(failed).filter(([kind]) => !EXPECTED_FAILURES.has(kind)),
      ([, n]) => n,
    ),
    wrong: sumOf(samples, (s) => s.wrong),
    expired: sumOf(samples, (s) => s.expired),
    late: sumOf(samples, (s) => s.late),
    p50: latency.percentile(50),
    p99: latency.percentile(99),
    maxLatency: latency.max,
    computations: sumOf(samples, (s) => s.computations),
    hung: sumOf(samples, (s) => s.hung),
    storageHits: sumOf(samples, (s) => s.storageHits),
    storageFaults: sumOf(samples, (s) => s.storageFaults),
    storageCorrupt: sumOf(samples, (s) => s.storageCorrupt),
    localHits: sumOf(samples, (s) => s.localHits),
    invalidations: sumOf(samples, (s) => s.invalidations),
    invalidationFaults: sumOf(samples, (s) => s.invalidationFaults),
    maxInFlight: Math.max(0, ...samples.map((s) => s.inFlight)),
    errors: [...new Set(samples.flatMap((s) => s.errors))].slice(0, 10),
  }
}

/**
 * Time from `healedAt` until every worker is back to cache hits: for each worker, the end of
 * its first sample window after `healedAt` with Redis hits and no Redis faults; the largest of
 * those. `undefined` when some worker did not get there before `until`.
 */
export function recoveryTime(
  workers: readonly LoadWorker[],
  healedAt: number,
  until: number,
): number | undefined {
  let worst = 0
  for (const worker of workers) {
    const back = worker.samples.find(
      (s) => s.t > healedAt && s.t <= until && s.storageHits > 0 && s.storageFaults === 0,
    )
    if (back === undefined) return undefined
    worst = Math.max(worst, back.t - healedAt)
  }
  return worst
}
