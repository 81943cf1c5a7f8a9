import { freePort, respCommand } from './resp.js'
import { startRedisServer, type RedisServer } from './redis-server.js'

export interface StartRedisClusterOptions {
  /** Number of master nodes (no replicas). @default 3 */
  masters?: number
  /** Extra `redis-server` arguments for every node. */
  args?: readonly string[]
  /** How long to wait for `cluster_state:ok` on every node. @default 15 seconds */
  startTimeout?: number
}

/** A throwaway Redis Cluster: masters only, slots split evenly, loopback only. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[]
  /** `[{ host, port }, ...]`, ready for `new Cluster(cluster.startupNodes)`. */
  readonly startupNodes: readonly { host: string; port: number }[]
  /** Stops every node and removes their temp directories. */
  stop(): Promise<void>
}

const SLOTS = 16_384

function info(reply: unknown): Record<string, string> {
  const fields: Record<string, string> = {}
  if (typeof reply !== 'string') return fields
  for (const line of reply.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1)
  }
  return fields
}

async function command(port: number, args: (string | number)[]): Promise<unknown> {
  const reply = await respCommand(port, args)
  if (reply instanceof Error) throw new Error(`${args.join(' ')} on port ${port}: ${reply.message}`)
  return reply
}

/**
 * Starts a throwaway Redis Cluster of `masters` nodes on random loopback ports (each with its
 * own cluster-bus port and temp directory) and waits until every node reports
 * `cluster_state:ok`. Each node is a {@link RedisServer}, so tests can kill or pause one.
 */
export async function startRedisCluster(
  options: StartRedisClusterOptions = {},
): Promise<RedisCluster> {
  const masters = options.masters ?? 3
  if (!Number.isInteger(masters) || masters < 1)
    throw new RangeError(`masters must be a positive integer, got ${masters}`)
  const nodes: RedisServer[] = []
  const busPorts: number[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()))
  }
  try {
    for (let i = 0; i < masters; i++) {
      const busPort = await freePort()
      // prettier-ignore
      const args = [
        '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', '2000', '--cluster-port', String(busPort),
        ...(options.args ?? []),
      ]
      nodes.push(await startRedisServer({ args }))
      busPorts.push(busPort)
    }
    for (const [i, node] of nodes.entries()) {
      const first = Math.floor((SLOTS * i) / masters)
      const last = Math.floor((SLOTS * (i + 1)) / masters) - 1
      await command(node.port, ['CLUSTER', 'ADDSLOTSRANGE', first, last])
      await command(node.port, ['CLUSTER', 'SET-CONFIG-EPOCH', i + 1])
    }
    const head = nodes[0]!
    for (const [i, node] of nodes.entries())
      if (i > 0) await command(head.port, ['CLUSTER', 'MEET', node.host, node.port, busPorts[i]!])
    const deadline = Date.now() + (options.startTimeout ?? 15_000)
    for (;;) {
      const states = await Promise.all(
        nodes.map(async (node) => info(await command(node.port, ['CLUSTER', 'INFO']))),
      )
      const ready = states.every(
        (state) =>
          state.cluster_state === 'ok' &&
          Number(state.cluster_known_nodes) === masters &&
          Number(state.cluster_slots_ok) === SLOTS,
      )
      if (ready) break
      if (Date.now() > deadline) throw new Error('the Redis Cluster did not reach cluster_state:ok')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  } catch (error) {
    await stop()
    throw error
  }
  return {
    nodes,
    startupNodes: nodes.map((node) => ({ host: node.host, port: node.port })),
    stop,
  }
}
