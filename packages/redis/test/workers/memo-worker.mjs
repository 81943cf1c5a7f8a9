// A child process running memoized calls against Redis, driven by the parent test over IPC.
// It imports the built packages (packages/*/dist): the jest global setup builds them.
//
//   node memo-worker.mjs '<json options>'
//
// Values are self-certifying ({ key, payload, digest }), so a wrong value is detected
// mechanically. Every message to the parent is { type, ...data }.
import { createHash, randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { forceRefresh, InvalidationSupport, memoize } from '@memokit/core'
import {
  createRedisClient,
  RedisCacheConfiguration,
  RedisCacheStorage,
  RedisInvalidationBus,
  RedisUpdateStatuses,
  TwoTierCacheStorage,
} from '@memokit/redis'

const options = JSON.parse(process.argv[2] ?? '{}')
const {
  url,
  namespace,
  name = 'worker',
  computeMs = 0,
  operationTimeout = 500,
  lockLease = 1_000,
  pollInterval = 100,
  updateAfter = 60_000,
  expireAfter = 120_000,
  twoTier = false,
  dogPile = true,
  completionWindow,
} = options

const send = (message) => process.send?.(message)
const digestOf = (key, payload) => createHash('sha256').update(`${key}|${payload}`).digest('hex')
const valid = (key, value) =>
  value !== null &&
  typeof value === 'object' &&
  value.key === key &&
  typeof value.payload === 'string' &&
  value.digest === digestOf(key, value.payload)

const client = createRedisClient(url, { connectionName: name })
const remote = new RedisCacheStorage({ client, namespace, operationTimeout })
const bus = twoTier ? new RedisInvalidationBus({ client, namespace, operationTimeout }) : undefined
const storage = twoTier ? new TwoTierCacheStorage({ remote, bus }) : remote
const statuses = dogPile
  ? new RedisUpdateStatuses({
      client,
      namespace,
      operationTimeout,
      lockLease,
      pollInterval,
      completionWindow,
    })
  : undefined
const configuration = RedisCacheConfiguration({
  client,
  storage,
  updateAfter,
  expireAfter,
  methodTimeout: 60_000,
})
const invalidation = new InvalidationSupport()

/** Computations per key in this process. */
const computed = {}
let extraComputeMs = 0
const compute = memoize(
  async function compute(key) {
    computed[key] = (computed[key] ?? 0) + 1
    send({ type: 'computing', key })
    const delay = computeMs + extraComputeMs
    if (delay > 0) await sleep(delay)
    const payload = `${name}:${randomBytes(6).toString('hex')}`
    return { key, payload, digest: digestOf(key, payload) }
  },
  { configuration, updateStatuses: statuses, invalidation, name: 'Worker.compute' },
)

/** Calls `compute(key)`, never throws: returns what happened. */
async function call(key) {
  const started = performance.now()
  try {
    const value = await compute(key)
    return { ok: true, valid: valid(key, value), value, latency: performance.now() - started }
  } catch (error) {
    return { ok: false, error: String(error?.cause ?? error), latency: performance.now() - started }
  }
}

/** Every key called `concurrency` times at once; reports computations and failures. */
async function dogPileRun({ keys, concurrency }) {
  const calls = []
  for (const key of keys) for (let i = 0; i < concurrency; i++) calls.push(call(key))
  const results = await Promise.all(calls)
  send({
    type: 'done',
    computed,
    failed: results.filter((r) => !r.ok).length,
    wrong: results.filter((r) => r.ok && !r.valid).length,
    errors: [...new Set(results.filter((r) => !r.ok).map((r) => r.error))].slice(0, 5),
  })
}

/** `total` calls from `loops` concurrent loops over `keys` keys (skewed towards low keys). */
async function loadRun({ total, loops, keys }) {
  let issued = 0
  let done = 0
  let failed = 0
  let wrong = 0
  let maxLatency = 0
  const latencies = []
  const errors = new Set()
  const loop = async () => {
    while (issued < total) {
      issued++
      const key = `k${Math.floor(keys * Math.random() ** 2)}`
      const result = await call(key)
      done++
      if (!result.ok) {
        failed++
        errors.add(result.error)
      } else if (!result.valid) wrong++
      latencies.push(result.latency)
      maxLatency = Math.max(maxLatency, result.latency)
      if (done % 50 === 0) send({ type: 'progress', done })
    }
  }
  await Promise.all(Array.from({ length: loops }, loop))
  latencies.sort((a, b) => a - b)
  send({
    type: 'done',
    done,
    failed,
    wrong,
    maxLatency,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    computations: Object.values(computed).reduce((a, b) => a + b, 0),
    storage: remote.stats(),
    errors: [...errors].slice(0, 5),
  })
}

/** Calls random keys until the storage's hit counter moves; reports when that happened. */
async function watchHits({ keys }) {
  const start = remote.stats().hits
  const deadline = Date.now() + 10_000
  while (remote.stats().hits === start && Date.now() < deadline) {
    await call(`k${Math.floor(keys * Math.random() ** 2)}`)
    await sleep(2)
  }
  send({ type: 'hit-after-restart', at: Date.now(), hit: remote.stats().hits > start })
}

process.on('message', async (message) => {
  switch (message.cmd) {
    case 'dog-pile':
      return dogPileRun(message)
    case 'load':
      return loadRun(message)
    case 'watch-hits':
      return watchHits(message)
    case 'call': {
      if (message.computeMs !== undefined) extraComputeMs = message.computeMs
      const result = await call(message.key)
      return send({ type: 'result', id: message.id, ...result, computed })
    }
    case 'force': {
      const started = performance.now()
      const value = await forceRefresh(() => compute(message.key))
      return send({
        type: 'result',
        id: message.id,
        ok: true,
        value,
        latency: performance.now() - started,
      })
    }
    case 'invalidate': {
      await invalidation.invalidateForArguments([message.key])
      return send({ type: 'result', id: message.id, ok: true })
    }
    case 'read-until-changed': {
      // Calls until the value differs from `previous`; reports how long that took.
      const started = Date.now()
      let reads = 0
      for (;;) {
        reads++
        const result = await call(message.key)
        if (!result.ok || result.value.payload !== message.previous || Date.now() - started > 5_000)
          return send({
            type: 'result',
            id: message.id,
            ...result,
            reads,
            after: Date.now() - started,
          })
        await sleep(1)
      }
    }
    case 'stats':
      return send({
        type: 'result',
        id: message.id,
        computed,
        storage: remote.stats(),
        twoTier: twoTier ? storage.stats() : undefined,
        statuses: statuses?.stats(),
        synced: bus?.synced,
      })
    case 'exit':
      await statuses?.close()
      await bus?.close()
      client.disconnect()
      process.exit(0)
  }
})

client.once('ready', async () => {
  if (bus !== undefined) await bus.ready()
  send({ type: 'ready', pid: process.pid })
})
