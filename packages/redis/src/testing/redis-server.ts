import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { MemoizeError } from '@memokit/core'
import { freePort, respCommand } from './resp.js'

/** `redis-server` (or `redis-cli`) is not installed, or not on the `PATH`. */
export class RedisServerNotFoundError extends MemoizeError {
  override readonly name = 'RedisServerNotFoundError'
  readonly code = 'E_REDIS_SERVER_NOT_FOUND'

  constructor(binary: string) {
    super(
      `${binary} was not found on the PATH. The memokit Redis test helpers start throwaway ` +
        `Redis servers and need it installed (Debian/Ubuntu: sudo apt-get install redis-server; ` +
        `macOS: brew install redis), or set MEMOKIT_REDIS_SERVER to the redis-server binary.`,
    )
  }
}

/** Finds an executable on the PATH, or throws {@link RedisServerNotFoundError}. */
export function findExecutable(name: 'redis-server' | 'redis-cli'): string {
  const override =
    name === 'redis-server' ? process.env.MEMOKIT_REDIS_SERVER : process.env.MEMOKIT_REDIS_CLI
  const candidates =
    override !== undefined && override !== ''
      ? [override]
      : (process.env.PATH ?? '')
          .split(delimiter)
          .filter((dir) => dir !== '')
          .map((dir) => join(dir, name))
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  throw new RedisServerNotFoundError(name)
}

export interface StartRedisServerOptions {
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '2mb']`. */
  args?: readonly string[]
  /** Listen on this port instead of a random free one. */
  port?: number
  /** How long to wait for the server to answer PING. @default 10 seconds */
  startTimeout?: number
}

/** One throwaway `redis-server` process: loopback only, no persistence, its own temp dir. */
export interface RedisServer {
  readonly host: string
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** The temp directory the server runs in (removed by `stop()`). */
  readonly dir: string
  /** The current process id, or `undefined` while the server is down. */
  readonly pid: number | undefined
  /** True while a server process is alive (even if paused). */
  readonly running: boolean
  /** Crashes the server (SIGKILL) and waits until the process is gone. */
  kill(): Promise<void>
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void
  /** Unfreezes the server (SIGCONT). */
  resume(): void
  /** Starts a fresh, empty server on the same port (kills the current one first if alive). */
  restart(): Promise<void>
  /** Stops the server (SIGTERM, then SIGKILL) and removes its temp directory. */
  stop(): Promise<void>
  /** Runs `redis-cli -h 127.0.0.1 -p <port> ...args`; `input` is piped to stdin (use `-x`). */
  cli(args: readonly string[], input?: string | Buffer): Promise<string>
}

const live = new Set<ChildProcess>()
let exitHookInstalled = false

/**
 * Kills every server still running when this process exits, or is interrupted or terminated,
 * so none are left behind.
 */
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  const killAll = (): void => {
    for (const child of live) child.kill('SIGKILL')
  }
  process.on('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      killAll()
      // Nobody else handles it: die of it, as the process would have without this hook.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    })
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

async function waitForPing(port: number, child: ChildProcess, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `redis-server on port ${port} exited during start-up (code ${child.exitCode})`,
      )
    try {
      if ((await respCommand(port, ['PING'], 500)) === 'PONG') return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

class RedisServerImpl implements RedisServer {
  readonly host = '127.0.0.1'
  readonly port: number
  readonly dir: string
  readonly #binary: string
  readonly #args: readonly string[]
  readonly #startTimeout: number
  #child: ChildProcess | undefined
  #log = ''

  constructor(binary: string, port: number, dir: string, options: StartRedisServerOptions) {
    this.#binary = binary
    this.port = port
    this.dir = dir
    this.#args = options.args ?? []
    this.#startTimeout = options.startTimeout ?? 10_000
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`
  }

  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined
  }

  get running(): boolean {
    const child = this.#child
    return child !== undefined && child.exitCode === null && child.signalCode === null
  }

  async start(): Promise<void> {
    // prettier-ignore
    const args = [
      '--port', String(this.port), '--bind', this.host, '--save', '', '--appendonly', 'no',
      '--dir', this.dir, '--loglevel', 'warning', '--protected-mode', 'no', ...this.#args,
    ]
    const child = spawn(this.#binary, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    this.#log = ''
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (this.#log = (this.#log + String(chunk)).slice(-4000)),
    )
    child.on('error', () => {}) // reported through waitForPing
    child.unref()
    ;(child.stderr as { unref?: () => void } | null)?.unref?.()
    live.add(child)
    child.once('exit', () => live.delete(child))
    this.#child = child
    try {
      await waitForPing(this.port, child, this.#startTimeout)
    } catch (error) {
      child.kill('SIGKILL')
      await exited(child)
      throw new Error(`${(error as Error).message}${this.#log ? `: ${this.#log.trim()}` : ''}`, {
        cause: error,
      })
    }
  }

  async kill(): Promise<void> {
    const child = this.#child
    if (child === undefined || !this.running) return
    child.kill('SIGKILL')
    await exited(child)
  }

  pause(): void {
    if (this.running) this.#child?.kill('SIGSTOP')
  }

  resume(): void {
    if (this.running) this.#child?.kill('SIGCONT')
  }

  async restart(): Promise<void> {
    await this.kill()
    await this.start()
  }

  async stop(): Promise<void> {
    const child = this.#child
    if (child !== undefined && this.running) {
      child.kill('SIGCONT') // a paused server cannot handle SIGTERM
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited(child)
      clearTimeout(timer)
    }
    rmSync(this.dir, { recursive: true, force: true })
  }

  cli(args: readonly string[], input?: string | Buffer): Promise<string> {
    const cli = findExecutable('redis-cli')
    return new Promise((resolve, reject) => {
      const child = execFile(
        cli,
        ['-h', this.host, '-p', String(this.port), ...args],
        { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error)
            reject(new Error(`redis-cli ${args.join(' ')} failed: ${stderr || error.message}`))
          else resolve(stdout)
        },
      )
      if (input !== undefined) child.stdin?.end(input)
    })
  }
}

/**
 * Starts a throwaway `redis-server` on a random free loopback port, with no persistence and its
 * own temp directory. Stop it with `stop()`; any server still running when the process exits is
 * killed. Throws {@link RedisServerNotFoundError} when `redis-server` is not installed.
 *
 * ```ts
 * const server = await startRedisServer()
 * const client = new Redis(server.port, server.host)
 * server.pause()   // SIGSTOP: a hung Redis
 * server.resume()  // SIGCONT
 * await server.kill(); await server.restart() // crash, then come back empty on the same port
 * await server.stop()
 * ```
 */
export async function startRedisServer(
  options: StartRedisServerOptions = {},
): Promise<RedisServer> {
  const binary = findExecutable('redis-server')
  installExitHook()
  const dir = mkdtempSync(join(tmpdir(), 'memokit-redis-'))
  const fixedPort = options.port !== undefined
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort())
    const server = new RedisServerImpl(binary, port, dir, options)
    try {
      await server.start()
      return server
    } catch (error) {
      // Another process may have taken the port between the probe and the bind: try another.
      if (fixedPort || attempt >= 3) {
        rmSync(dir, { recursive: true, force: true })
        throw error
      }
    }
  }
}
