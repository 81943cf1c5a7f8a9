// Cold keys and their refresh across processes: 4 processes call the same keys at the same
// moment through Redis; how many backend calls does each library make, first for cold keys,
// then again once the keys are past their refresh time?
import { fork, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { Backend } from '../lib/backend.js'
import { CHILD_SCRIPT } from '../lib/paths.js'
import type { Scenario } from '../lib/scenario.js'
import { pipelinedClient } from './redis-hits.js'

interface Params {
  processes: number
  keys: number
  /** Concurrent calls per key in each process, per phase. */
  callsPerKey: number
  backendMs: number
  refreshAfter: number
  expireAfter: number
  /** Pause between the cold phase and the refresh phase (past the refresh time). */
  pauseMs: number
  /** Wait after a phase's calls answered, for background refreshes and lock releases. */
  settleMs: number
}

interface PhaseReport {
  perKey: Record<string, number>
  failed: number
  /** Until every call of this process answered. */
  wallMs: number
  /** Calls slower than half the backend latency. */
  waited: number
}

type Fetch = (key: string) => Promise<unknown>

const seconds = (ms: number): number => Math.max(1, Math.round(ms / 1000))

/** Builds one process's memoized backend call; returns it and a closer. */
async function contestant(
  id: string,
  url: string,
  namespace: string,
  p: Params,
  backend: Backend,
): Promise<{ fetch: Fetch; close: () => Promise<void>; ping: () => Promise<unknown> }> {
  const client = await pipelinedClient(url)
  const closers: (() => unknown)[] = [() => client.disconnect()]
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer()
  }
  const ping = (): Promise<unknown> => client.ping()
  if (id.startsWith('memokit')) {
    const { memoize } = await import('@memokit/core')
    const {
      RedisCacheConfiguration,
      RedisCacheStorage,
      RedisInvalidationBus,
      RedisUpdateStatuses,
      TwoTierCacheStorage,
    } = await import('@memokit/redis')
    const statuses =
      id === 'memokit-local-locks' ? undefined : new RedisUpdateStatuses({ client, namespace })
    if (statuses) closers.push(() => statuses.close())
    let storage
    if (id === 'memokit-two-tier') {
      const bus = new RedisInvalidationBus({ client, namespace })
      closers.push(() => bus.close())
      await bus.ready()
      storage = new TwoTierCacheStorage({
        remote: new RedisCacheStorage({ client, namespace }),
        bus,
      })
    }
    const fetch = memoize(backend.load, {
      configuration: RedisCacheConfiguration({
        client,
        namespace,
        storage,
        updateAfter: p.refreshAfter,
        expireAfter: p.expireAfter,
      }),
      updateStatuses: statuses,
      name: 'backend',
    })
    return { fetch, close, ping }
  }
  if (id === 'bentocache-l2') {
    const { BentoCache, bentostore } = await import('bentocache')
    const { redisDriver } = await import('bentocache/drivers/redis')
    const bento = new BentoCache({
      default: 'cache',
      prefix: namespace,
      stores: { cache: bentostore().useL2Layer(redisDriver({ connection: client })) },
    })
    closers.push(() => bento.disconnectAll())
    const ttl = p.refreshAfter
    const grace = p.expireAfter - p.refreshAfter
    return {
      fetch: (key) => bento.getOrSet({ key, factory: () => backend.load(key), ttl, grace }),
      close,
      ping,
    }
  }
  if (id === 'async-cache-dedupe-redis') {
    const { createCache } = await import('async-cache-dedupe')
    const name = namespace.replace(/\W/g, '_')
    const cache = createCache({
      ttl: seconds(p.refreshAfter),
      stale: seconds(p.expireAfter - p.refreshAfter),
      storage: { type: 'redis', options: { client } },
    }).define(name, (key: string) => backend.load(key)) as unknown as Record<string, Fetch>
    const fn = cache[name]!
    return { fetch: (key) => fn(key), close, ping }
  }
  throw new Error(`unknown contestant ${id}`)
}

// ---------------------------------------------------------------------------------------------
// Worker: one process of one contestant. Phases start on the coordinator's word.

function next(): Promise<unknown> {
  return new Promise((resolve) => process.once('message', resolve))
}

function send(message: unknown): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()))
}

async function worker(args: readonly string[]): Promise<void> {
  const [id, url, namespace, json] = args as [string, string, string, string]
  const p = JSON.parse(json) as Params
  const backend = new Backend(p.backendMs)
  const { fetch, close, ping } = await contestant(id, url, namespace, p, backend)
  await ping() // connected before the first phase
  const phase = async (settle: boolean): Promise<PhaseReport> => {
    backend.perKey.clear()
    const started = performance.now()
    const calls: Promise<unknown>[] = []
    let waited = 0
    const timed = async (key: string): Promise<unknown> => {
      const t0 = performance.now()
      try {
        return await fetch(key)
      } finally {
        if (performance.now() - t0 >= p.backendMs / 2) waited++
      }
    }
    for (let k = 0; k < p.keys; k++)
      for (let c = 0; c < p.callsPerKey; c++) calls.push(timed(`key-${k}`))
    const results = await Promise.allSettled(calls)
    const wallMs = performance.now() - started
    // Background refreshes (and other processes' lock releases) end after the calls return.
    if (settle) await sleep(p.settleMs)
    return {
      perKey: Object.fromEntries(backend.perKey),
      failed: results.filter((r) => r.status === 'rejected').length,
      wallMs,
      waited,
    }
  }
  await send({ type: 'ready' })
  await next()
  await send({ type: 'cold', report: await phase(false) })
  await next()
  await send({ type: 'refresh', report: await phase(true) })
  await next()
  await send({ type: 'hits', report: await phase(false) })
  // Stay up until every process is done, as servers would: a process that exits at once takes
  // its unsent lock releases with it.
  await next()
  await close()
  process.exit(0)
}

// ---------------------------------------------------------------------------------------------
// Coordinator: the measurement process.

function waitAll(children: ChildProcess[], type: string): Promise<PhaseReport[]> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<PhaseReport>((resolve, reject) => {
          const onMessage = (m: { type: string; report?: PhaseReport }): void => {
            if (m.type !== type) return
            child.off('message', onMessage)
            resolve(m.report!)
          }
          child.on('message', onMessage)
          child.once('exit', (code) => reject(new Error(`a worker exited (code ${code})`)))
        }),
    ),
  )
}

function summarize(reports: PhaseReport[]) {
  const perKey: Record<string, number> = {}
  for (const r of reports)
    for (const [key, n] of Object.entries(r.perKey)) perKey[key] = (perKey[key] ?? 0) + n
  const counts = Object.values(perKey)
  return {
    calls: counts.reduce((a, b) => a + b, 0),
    maxPerKey: Math.max(0, ...counts),
    failed: reports.reduce((a, r) => a + r.failed, 0),
    wallMs: Math.max(...reports.map((r) => r.wallMs)),
    waited: reports.reduce((a, r) => a + r.waited, 0),
  }
}

const IN_PROCESS = 'in-process only: no Redis storage'

export const redisCold: Scenario<Params> = {
  id: 'redis-cold',
  title: 'Cold keys and refreshes across 4 processes',
  summary:
    "Several processes (say, the replicas of a service) share a cache in Redis, and a burst of calls for the same keys reaches all of them at once. With per-process deduplication each process calls the backend once per key; with cross-process dog-pile protection (memokit's `RedisUpdateStatuses`) one process computes and the others receive its result. The same calls are then repeated once the keys are past their refresh time: does a refresh also cost one backend call per key across the processes, and do callers wait for it?",
  needsRedis: true,
  timeoutMs: 60_000,
  reps: { full: 3, quick: 1, smoke: 1 },
  params: {
    full: {
      processes: 4,
      keys: 50,
      callsPerKey: 50,
      backendMs: 500,
      refreshAfter: 1_000,
      expireAfter: 10_000,
      pauseMs: 2_100,
      settleMs: 1_300,
    },
    quick: {
      processes: 4,
      keys: 50,
      callsPerKey: 50,
      backendMs: 500,
      refreshAfter: 1_000,
      expireAfter: 10_000,
      pauseMs: 2_100,
      settleMs: 1_300,
    },
    smoke: {
      processes: 2,
      keys: 3,
      callsPerKey: 2,
      backendMs: 5,
      refreshAfter: 100,
      expireAfter: 1_000,
      pauseMs: 150,
      settleMs: 20,
    },
  },
  contestants: [
    { id: 'memokit-statuses', name: 'memokit + RedisUpdateStatuses' },
    { id: 'memokit-two-tier', name: 'memokit two-tier + RedisUpdateStatuses' },
    { id: 'memokit-local-locks', name: 'memokit, in-process locks only' },
    { id: 'bentocache-l2', name: 'bentocache, Redis L2' },
    { id: 'async-cache-dedupe-redis', name: 'async-cache-dedupe, Redis storage' },
    {
      id: 'cache-manager',
      name: 'cache-manager',
      na: 'its Redis store (@keyv/redis) is built on node-redis, not ioredis',
    },
    { id: 'lru-cache', name: 'lru-cache', na: IN_PROCESS },
    { id: 'memoizee', name: 'memoizee', na: IN_PROCESS },
    { id: 'p-memoize', name: 'p-memoize', na: IN_PROCESS },
    { id: 'typescript-memoize', name: 'typescript-memoize', na: IN_PROCESS },
  ],
  columns: [
    { key: 'coldCalls', label: 'cold: backend calls' },
    { key: 'coldMaxPerKey', label: 'max per key' },
    { key: 'coldWallMs', label: 'wall ms' },
    { key: 'refreshCalls', label: 'refresh: backend calls' },
    { key: 'refreshMaxPerKey', label: 'max per key' },
    { key: 'refreshWallMs', label: 'wall ms' },
    { key: 'refreshWaited', label: 'calls over half the latency' },
    { key: 'hitWallMs', label: 'hits: wall ms' },
    { key: 'failed', label: 'failed' },
  ],
  describe: (p) =>
    `${p.processes} processes × ${p.keys} keys × ${p.callsPerKey} concurrent calls per key (${(p.processes * p.keys * p.callsPerKey).toLocaleString('en')} calls per phase), backend latency ${p.backendMs} ms, refresh after ${p.refreshAfter} ms, expiry after ${p.expireAfter} ms (async-cache-dedupe: whole seconds); the cold phase starts on an empty Redis, the refresh phase ${p.pauseMs} ms after it ends, then a hit phase (every value fresh) as the baseline; backend calls are summed over the processes (ideal: ${p.keys} per phase, max 1 per key); wall is the slowest process's time until all its calls answered; "calls over half the latency" counts refresh-phase calls slower than half the backend latency (a caller waiting for the backend is, but so is any call when a library's per-call work saturates the CPU: compare the refresh wall with the hit wall); every process gets \`new Redis(url, { enableAutoPipelining: true })\``,
  async measure(id, _variant, { params: p, redisUrl, namespace }) {
    const children = Array.from({ length: p.processes }, () =>
      fork(CHILD_SCRIPT, ['--worker', 'redis-cold', id, redisUrl!, namespace, JSON.stringify(p)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    )
    try {
      const ready = waitAll(children, 'ready')
      await ready
      const coldDone = waitAll(children, 'cold')
      for (const child of children) child.send('go')
      const cold = summarize(await coldDone)
      await sleep(p.pauseMs)
      const refreshDone = waitAll(children, 'refresh')
      for (const child of children) child.send('go')
      const refresh = summarize(await refreshDone)
      // The same burst once more, every value fresh: the baseline a refresh phase where nobody
      // waited should match.
      const hitsDone = waitAll(children, 'hits')
      for (const child of children) child.send('go')
      const hits = summarize(await hitsDone)
      for (const child of children) child.send('exit')
      await Promise.all(children.map((c) => new Promise((resolve) => c.once('exit', resolve))))
      return {
        coldCalls: cold.calls,
        coldMaxPerKey: cold.maxPerKey,
        coldWallMs: cold.wallMs,
        refreshCalls: refresh.calls,
        refreshMaxPerKey: refresh.maxPerKey,
        refreshWallMs: refresh.wallMs,
        refreshWaited: refresh.waited,
        hitWallMs: hits.wallMs,
        hitCalls: hits.calls,
        failed: cold.failed + refresh.failed + hits.failed,
      }
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    }
  },
  worker,
}
