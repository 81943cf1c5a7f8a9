// Cold keys across processes: 4 processes miss the same keys at the same moment; how many
// backend calls does each library make? memokit with RedisUpdateStatuses (one computation per
// key across processes) against per-process deduplication: memokit with in-process locks,
// bentocache (Redis L2) and async-cache-dedupe (Redis storage).
// Run: pnpm build && node bench/dist/redis-cold-keys.js   (starts and stops its own redis-server)
import { fork } from 'node:child_process'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { createCache } from 'async-cache-dedupe'
import { BentoCache, bentostore } from 'bentocache'
import { redisDriver } from 'bentocache/drivers/redis'
import { Redis } from 'ioredis'
import { memoize } from '@memokit/core'
import { createRedisClient, RedisCacheConfiguration, RedisUpdateStatuses } from '@memokit/redis'
import { startRedisServer } from '@memokit/redis/testing'

const PROCESSES = 4
const KEYS = 50
const CALLS_PER_KEY = 50 // concurrent calls per key in each process
const BACKEND_MS = 100
const ROUNDS = process.argv.includes('--quick') ? 1 : 3

const CONTESTANTS = [
  'memokit + RedisUpdateStatuses',
  'memokit, in-process locks only',
  'bentocache 1.6.1 (Redis L2)',
  'async-cache-dedupe 3.4.0 (Redis storage)',
] as const
type ContestantName = (typeof CONTESTANTS)[number]

interface ChildReport {
  backendCalls: Record<string, number>
  failed: number
  wallMs: number
}

// ---------------------------------------------------------------------------------------------
// Child: one process of one contestant.

type Fetch = (key: string) => Promise<unknown>

async function child(name: ContestantName, url: string, namespace: string): Promise<void> {
  const backendCalls: Record<string, number> = {}
  const backend = async (key: string): Promise<{ key: string; at: number }> => {
    backendCalls[key] = (backendCalls[key] ?? 0) + 1
    await sleep(BACKEND_MS)
    return { key, at: Date.now() }
  }
  const closers: (() => Promise<unknown> | void)[] = []
  let fetch: Fetch
  if (name.startsWith('memokit')) {
    const client = createRedisClient(url)
    closers.push(() => client.disconnect())
    const statuses = name.includes('RedisUpdateStatuses')
      ? new RedisUpdateStatuses({ client, namespace })
      : undefined
    if (statuses) closers.push(() => statuses.close())
    fetch = memoize(backend, {
      configuration: RedisCacheConfiguration({ client, namespace }),
      updateStatuses: statuses,
      name: 'backend',
    })
  } else if (name.startsWith('bentocache')) {
    const client = new Redis(url)
    client.on('error', () => {})
    const bento = new BentoCache({
      default: 'cache',
      prefix: namespace,
      stores: { cache: bentostore().useL2Layer(redisDriver({ connection: client })) },
    })
    closers.push(() => bento.disconnectAll())
    fetch = (key) => bento.getOrSet({ key, factory: () => backend(key), ttl: '1h' })
  } else {
    const client = new Redis(url)
    client.on('error', () => {})
    closers.push(() => client.disconnect())
    const cache = createCache({ ttl: 3600, storage: { type: 'redis', options: { client } } })
    const defined = cache.define(`${namespace}-backend`, async (key: string) => backend(key))
    fetch = (key) => (defined as unknown as Record<string, Fetch>)[`${namespace}-backend`]!(key)
  }
  await sleep(200) // connections up
  process.send!({ type: 'ready' })
  await new Promise((resolve) => process.once('message', resolve))
  const started = performance.now()
  const calls: Promise<unknown>[] = []
  for (let k = 0; k < KEYS; k++)
    for (let c = 0; c < CALLS_PER_KEY; c++) calls.push(fetch(`key-${k}`))
  const results = await Promise.allSettled(calls)
  const report: ChildReport = {
    backendCalls,
    failed: results.filter((r) => r.status === 'rejected').length,
    wallMs: performance.now() - started,
  }
  process.send!({ type: 'done', report })
  // Stay up until every process is done, as servers would: a process that exits at once takes
  // its unsent lock releases with it.
  await new Promise((resolve) => process.once('message', resolve))
  for (const close of closers) await close()
  process.exit(0)
}

// ---------------------------------------------------------------------------------------------
// Parent.

async function run(name: ContestantName, url: string, round: number) {
  const namespace = `cold-${CONTESTANTS.indexOf(name)}-${round}-${Date.now()}`
  const script = fileURLToPath(import.meta.url)
  const children = Array.from({ length: PROCESSES }, () =>
    fork(script, ['--child', name, url, namespace], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  )
  const next = (type: string) =>
    Promise.all(
      children.map(
        (c) =>
          new Promise<{ type: string; report?: ChildReport }>((resolve) =>
            c.on('message', (m: { type: string; report?: ChildReport }) => {
              if (m.type === type) resolve(m)
            }),
          ),
      ),
    )
  await next('ready')
  const done = next('done')
  for (const c of children) c.send('go')
  const reports = (await done).map((m) => m.report!)
  for (const c of children) c.send('exit')
  const perKey: Record<string, number> = {}
  for (const r of reports)
    for (const [key, n] of Object.entries(r.backendCalls)) perKey[key] = (perKey[key] ?? 0) + n
  return {
    backendCalls: Object.values(perKey).reduce((a, b) => a + b, 0),
    maxPerKey: Math.max(...Object.values(perKey)),
    failed: reports.reduce((a, r) => a + r.failed, 0),
    wallMs: Math.max(...reports.map((r) => r.wallMs)),
  }
}

async function parent(): Promise<void> {
  const server = await startRedisServer()
  try {
    console.log(
      `Cold keys: ${PROCESSES} processes × ${KEYS} keys × ${CALLS_PER_KEY} concurrent calls per key ` +
        `(${PROCESSES * KEYS * CALLS_PER_KEY} calls), backend ${BACKEND_MS} ms; median of ${ROUNDS} ` +
        `round(s); Node ${process.version}, ${cpus().length} CPUs; ideal: ${KEYS} backend calls\n`,
    )
    console.log(
      `${'contestant'.padEnd(44)} ${'backend calls'.padStart(13)} ${'max/key'.padStart(8)} ${'× ideal'.padStart(8)} ${'failed'.padStart(7)} ${'wall ms'.padStart(8)}`,
    )
    for (const name of CONTESTANTS) {
      const rounds = []
      for (let round = 0; round < ROUNDS; round++) rounds.push(await run(name, server.url, round))
      rounds.sort((a, b) => a.backendCalls - b.backendCalls)
      const r = rounds[Math.floor(rounds.length / 2)]!
      console.log(
        `${name.padEnd(44)} ${String(r.backendCalls).padStart(13)} ${String(r.maxPerKey).padStart(8)} ${(
          r.backendCalls / KEYS
        )
          .toFixed(2)
          .padStart(
            8,
          )} ${String(r.failed).padStart(7)} ${Math.round(r.wallMs).toString().padStart(8)}`,
      )
    }
  } finally {
    await server.stop()
  }
}

if (process.argv[2] === '--child')
  await child(process.argv[3] as ContestantName, process.argv[4]!, process.argv[5]!)
else await parent()
