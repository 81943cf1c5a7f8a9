import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const script = join(__dirname, '..', 'workers', 'memo-worker.mjs')
const built = join(__dirname, '..', '..', 'dist', 'index.js')

/** A message from a worker: `{ type, ...data }`. */
export type WorkerMessage = { type: string; [field: string]: any }

export interface WorkerOptions {
  url: string
  namespace: string
  name?: string
  computeMs?: number
  operationTimeout?: number
  lockLease?: number
  pollInterval?: number
  updateAfter?: number
  expireAfter?: number
  twoTier?: boolean
  dogPile?: boolean
  completionWindow?: number
}

/** A child process running test/workers/memo-worker.mjs (the built packages). */
export class Worker {
  readonly child: ChildProcess
  readonly messages: WorkerMessage[] = []
  readonly #waiters: {
    match: (m: WorkerMessage) => boolean
    resolve: (m: WorkerMessage) => void
  }[] = []
  #nextId = 1
  stderr = ''

  private constructor(child: ChildProcess) {
    this.child = child
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += String(chunk)))
    child.on('message', (message: WorkerMessage) => {
      this.messages.push(message)
      for (const waiter of [...this.#waiters])
        if (waiter.match(message)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
          waiter.resolve(message)
        }
    })
  }

  /** Forks a worker and waits until its Redis client is connected. */
  static async start(options: WorkerOptions): Promise<Worker> {
    if (!existsSync(built))
      throw new Error(`${built} is missing: the jest global setup builds it (tsc -b)`)
    const child = fork(script, [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    })
    const worker = new Worker(child)
    await worker.next('ready', 20_000)
    return worker
  }

  /** Resolves with the next message matching `type` (or `match`). */
  next(
    type: string,
    timeout = 30_000,
    match: (m: WorkerMessage) => boolean = () => true,
  ): Promise<WorkerMessage> {
    const seen = this.messages.find(
      (m) => m.type === type && match(m) && !(m as { consumed?: boolean }).consumed,
    )
    if (seen !== undefined) {
      ;(seen as { consumed?: boolean }).consumed = true
      return Promise.resolve(seen)
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no '${type}' message from the worker within ${timeout} ms\n${this.stderr}`),
          ),
        timeout,
      )
      this.#waiters.push({
        match: (m) => m.type === type && match(m),
        resolve: (m) => {
          clearTimeout(timer)
          ;(m as { consumed?: boolean }).consumed = true
          resolve(m)
        },
      })
    })
  }

  send(message: Record<string, unknown>): void {
    this.child.send(message)
  }

  /** Sends a command and waits for its `result`. */
  request(message: Record<string, unknown>, timeout = 30_000): Promise<WorkerMessage> {
    const id = this.#nextId++
    this.send({ ...message, id })
    return this.next('result', timeout, (m) => m.id === id)
  }

  /** Asks the worker to exit, or kills it after a second. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    if (this.child.connected) this.send({ cmd: 'exit' })
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 1_000)
    await exited
    clearTimeout(timer)
  }

  /** SIGKILLs the worker and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.kill('SIGKILL')
    await exited
  }
}

/** Starts `count` workers in parallel. */
export function startWorkers(
  count: number,
  options: (index: number) => WorkerOptions,
): Promise<Worker[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => Worker.start(options(i))))
}
