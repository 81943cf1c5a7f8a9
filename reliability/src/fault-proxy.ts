import {
  createConnection,
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net'
import { callable } from './callable.js'

/**
 * What a {@link FaultProxy} does to the traffic between its clients and the target:
 *
 * - `pass`: forwards both ways untouched;
 * - `latency`: delays every chunk by `latency` ms in each direction (a round trip takes
 *   2 × `latency` longer), order preserved;
 * - `blackhole`: delivers nothing either way; bytes are held, as TCP would keep retransmitting
 *   them, and delivered when the fault ends. New connections are accepted but not forwarded: a
 *   silent network partition, or a hung peer;
 * - `reset`: sends a TCP RST on every open connection and on every new one at once;
 * - `truncate`: lets through part of the next reply on each connection (at most
 *   `truncateAfter` bytes, never all of it), then closes that connection: a reply cut short;
 * - `half-open`: the server side of every connection is closed (the server forgets the client)
 *   while the client side stays open, swallowing what the client sends and answering nothing.
 *   When the fault ends, a half-open connection stays dead: the next bytes its client sends
 *   get a RST, as a host that lost the connection's state answers. New connections made during
 *   the fault are half-open from the start.
 */
export type FaultMode = 'pass' | 'latency' | 'blackhole' | 'reset' | 'truncate' | 'half-open'

/** Settings of a mode (used by `latency` and `truncate`). */
export interface FaultSettings {
  /** One-way delay added by `latency`. @default 100 */
  latency?: number
  /** Most bytes of a reply `truncate` lets through. @default 8 */
  truncateAfter?: number
  /**
   * `half-open` only: after the fault, a half-open connection stays silent for good instead of
   * answering its next bytes with a RST (a peer behind a firewall that drops what it does not
   * know). Only the client's own timeouts can then notice it. @default false
   */
  silentAfterHeal?: boolean
}

export interface FaultProxyOptions {
  /** Where connections are forwarded to. */
  target: { host?: string; port: number }
  /** @default '127.0.0.1' */
  host?: string
  /** @default 0 (a random free port) */
  port?: number
}

/** Counters of a {@link FaultProxy}. */
export interface FaultProxyStats {
  /** Connections accepted. */
  readonly accepted: number
  /** Connections open now. */
  readonly open: number
  /** Connections answered or ended with a RST. */
  readonly resets: number
  /** Replies cut short by `truncate`. */
  readonly truncated: number
  /** Connections made half-open. */
  readonly halfOpened: number
  /** Bytes forwarded client → target and target → client. */
  readonly bytesUp: number
  readonly bytesDown: number
  /** Bytes swallowed by half-open connections. */
  readonly bytesSwallowed: number
}

/** One direction of one connection: chunks waiting for their time to be written. */
class Pipe {
  readonly #queue: { due: number; chunk: Buffer }[] = []
  #timer: ReturnType<typeof setTimeout> | undefined
  held = false

  constructor(
    readonly write: (chunk: Buffer) => void,
    readonly closed: () => boolean,
  ) {}

  push(chunk: Buffer, delay: number): void {
    this.#queue.push({ due: Date.now() + delay, chunk })
    this.pump()
  }

  pump(): void {
    if (this.#timer !== undefined) return
    while (!this.held && this.#queue.length > 0 && !this.closed()) {
      const head = this.#queue[0]!
      const wait = head.due - Date.now()
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined
          this.pump()
        }, wait)
        return
      }
      this.#queue.shift()
      this.write(head.chunk)
    }
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#queue.length = 0
  }
}

/** One client connection and its upstream connection. */
class Link {
  upstream: Socket | undefined
  halfOpen = false
  /** Half-open and never answering, even after the fault. */
  silent = false
  closed = false
  readonly up: Pipe
  readonly down: Pipe

  constructor(
    readonly client: Socket,
    counters: { bytesUp: number; bytesDown: number },
  ) {
    this.up = new Pipe(
      (chunk) => {
        counters.bytesUp += chunk.length
        this.upstream?.write(chunk)
      },
      () => this.closed || this.upstream === undefined || this.upstream.connecting,
    )
    this.down = new Pipe(
      (chunk) => {
        counters.bytesDown += chunk.length
        this.client.write(chunk)
      },
      () => this.closed,
    )
  }
}

/**
 * A TCP proxy that injects network faults between a client (ioredis) and a server (a real
 * redis-server): added latency, a blackhole, connection resets, truncated replies and
 * half-open connections, switched at run time with {@link set} and ended with {@link heal}.
 *
 * ```ts
 * const proxy = await FaultProxy({ target: { port: server.port } }).start()
 * const client = createRedisClient(proxy.url)
 * proxy.set('blackhole')   // nothing gets through, nothing is refused
 * proxy.heal()             // held bytes are delivered, traffic flows again
 * await proxy.close()
 * ```
 */
class FaultProxyImpl {
  readonly host: string
  readonly targetHost: string
  readonly targetPort: number
  readonly #requestedPort: number
  #server: Server | undefined
  #mode: FaultMode = 'pass'
  #settings: Required<FaultSettings> = { latency: 100, truncateAfter: 8, silentAfterHeal: false }
  readonly #links = new Set<Link>()
  readonly #counters = {
    accepted: 0,
    resets: 0,
    truncated: 0,
    halfOpened: 0,
    bytesUp: 0,
    bytesDown: 0,
    bytesSwallowed: 0,
  }

  constructor(options: FaultProxyOptions) {
    if (options === null || typeof options !== 'object' || typeof options.target !== 'object')
      throw new TypeError('FaultProxy needs { target: { port } }')
    if (!Number.isInteger(options.target.port) || options.target.port <= 0)
      throw new TypeError(`target.port must be a port number, got ${String(options.target.port)}`)
    this.host = options.host ?? '127.0.0.1'
    this.targetHost = options.target.host ?? '127.0.0.1'
    this.targetPort = options.target.port
    this.#requestedPort = options.port ?? 0
  }

  /** Starts listening; resolves with the proxy. */
  async start(): Promise<this> {
    const server = createServer((socket) => this.#accept(socket))
    server.on('error', () => {})
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#requestedPort, this.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.#server = server
    return this
  }

  /** The port clients connect to. */
  get port(): number {
    const address = this.#server?.address() as AddressInfo | null | undefined
    if (address == null) throw new Error('the proxy is not started')
    return address.port
  }

  /** `redis://<host>:<port>` of the proxy. */
  get url(): string {
    return `redis://${this.host}:${this.port}`
  }

  get mode(): FaultMode {
    return this.#mode
  }

  /** Switches to `mode` for every open and future connection. */
  set(mode: FaultMode, settings: FaultSettings = {}): void {
    const previous = this.#mode
    this.#mode = mode
    this.#settings = {
      latency: settings.latency ?? this.#settings.latency,
      truncateAfter: settings.truncateAfter ?? this.#settings.truncateAfter,
      silentAfterHeal:
        mode === 'half-open' ? (settings.silentAfterHeal ?? false) : this.#settings.silentAfterHeal,
    }
    for (const link of [...this.#links]) {
      if (link.halfOpen) continue // dead for good: see FaultMode
      link.up.held = mode === 'blackhole'
      link.down.held = mode === 'blackhole'
      if (mode === 'reset') this.#reset(link)
      else if (mode === 'half-open') this.#makeHalfOpen(link)
      else if (previous === 'blackhole' && link.upstream === undefined) this.#connect(link)
      else {
        link.up.pump()
        link.down.pump()
      }
    }
  }

  /** Ends the fault: back to `pass`. */
  heal(): void {
    this.set('pass')
  }

  stats(): FaultProxyStats {
    return Object.freeze({ ...this.#counters, open: this.#links.size })
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    for (const link of [...this.#links]) this.#destroy(link)
    const server = this.#server
    this.#server = undefined
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  #accept(client: Socket): void {
    this.#counters.accepted++
    client.setNoDelay(true)
    const link = new Link(client, this.#counters)
    this.#links.add(link)
    client.on('error', () => this.#destroy(link))
    client.on('close', () => this.#destroy(link))
    client.on('end', () => link.upstream?.end())
    client.on('data', (chunk: Buffer) => {
      if (link.halfOpen) {
        this.#counters.bytesSwallowed += chunk.length
        // Once the fault is over, the peer answers bytes for a connection it forgot with a RST.
        if (this.#mode !== 'half-open' && !link.silent) this.#reset(link)
        return
      }
      link.up.push(chunk, this.#mode === 'latency' ? this.#settings.latency : 0)
    })
    switch (this.#mode) {
      case 'reset':
        return this.#reset(link)
      case 'half-open':
        return this.#makeHalfOpen(link)
      case 'blackhole':
        link.up.held = true
        link.down.held = true
        return // connected upstream when the fault ends
      default:
        this.#connect(link)
    }
  }

  #connect(link: Link): void {
    if (link.closed || link.upstream !== undefined) return
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort })
    link.upstream = upstream
    upstream.setNoDelay(true)
    upstream.on('connect', () => link.up.pump())
    upstream.on('error', () => this.#destroy(link))
    upstream.on('close', () => {
      if (!link.halfOpen) this.#destroy(link)
    })
    upstream.on('end', () => {
      if (!link.halfOpen) link.client.end()
    })
    upstream.on('data', (chunk: Buffer) => {
      if (link.halfOpen || link.closed) return
      if (this.#mode === 'truncate') return this.#truncate(link, chunk)
      link.down.push(chunk, this.#mode === 'latency' ? this.#settings.latency : 0)
    })
  }

  #truncate(link: Link, chunk: Buffer): void {
    this.#counters.truncated++
    const keep = Math.max(0, Math.min(this.#settings.truncateAfter, chunk.length - 1))
    link.down.stop()
    link.closed = true
    this.#links.delete(link)
    link.upstream?.destroy()
    if (keep > 0) this.#counters.bytesDown += keep
    link.client.end(chunk.subarray(0, keep))
  }

  #makeHalfOpen(link: Link): void {
    if (link.halfOpen || link.closed) return
    this.#counters.halfOpened++
    link.halfOpen = true
    link.silent = this.#settings.silentAfterHeal
    link.up.stop()
    link.down.stop()
    link.upstream?.destroy()
    link.upstream = undefined
  }

  #reset(link: Link): void {
    if (link.closed) return
    this.#counters.resets++
    link.closed = true
    this.#links.delete(link)
    link.up.stop()
    link.down.stop()
    link.upstream?.destroy()
    link.client.resetAndDestroy()
  }

  #destroy(link: Link): void {
    if (link.closed) return
    link.closed = true
    this.#links.delete(link)
    link.up.stop()
    link.down.stop()
    link.upstream?.destroy()
    link.client.destroy()
  }
}
export const FaultProxy = callable(FaultProxyImpl)
export type FaultProxy = FaultProxyImpl
