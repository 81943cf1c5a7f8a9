// Cross-process behaviour with real child processes (test/workers/memo-worker.mjs, running the
// built packages) against real redis-server processes.
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'
import { sleep, testRedisUrl, uniqueNamespace } from './support/redis'
import { startWorkers, type Worker } from './support/workers'

jest.setTimeout(60_000)

const workers: Worker[] = []
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()))
})

function sum(maps: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {}
  for (const map of maps)
    for (const [key, n] of Object.entries(map)) total[key] = (total[key] ?? 0) + n
  return total
}

describe('cross-process dog-pile protection', () => {
  it('runs exactly one computation per cold key for 4 processes × 250 concurrent calls × 20 keys', async () => {
    const namespace = uniqueNamespace('dogpile')
    workers.push(
      ...(await startWorkers(4, (i) => ({
        url: testRedisUrl(),
        namespace,
        name: `w${i}`,
        computeMs: 300,
        operationTimeout: 5_000, // generous: a timeout would fail open (compute) by design
        lockLease: 2_000,
        pollInterval: 200,
      }))),
    )
    const keys = Array.from({ length: 20 }, (_, i) => `cold-${i}`)
    for (const worker of workers) worker.send({ cmd: 'dog-pile', keys, concurrency: 250 })
    const reports = await Promise.all(workers.map((worker) => worker.next('done')))
    expect(reports.map((r) => r.failed)).toEqual([0, 0, 0, 0])
    expect(reports.map((r) => r.wrong)).toEqual([0, 0, 0, 0])
    const computations = sum(reports.map((r) => r.computed as Record<string, number>))
    expect(computations).toEqual(Object.fromEntries(keys.map((key) => [key, 1])))
  })

  it('lets exactly one follower take over when the process computing a key dies', async () => {
    const namespace = uniqueNamespace('leader')
    const options = { url: testRedisUrl(), namespace, lockLease: 1_000, pollInterval: 100 }
    const [leader, ...followers] = await startWorkers(4, (i) => ({
      ...options,
      name: i === 0 ? 'leader' : `follower${i}`,
    }))
    workers.push(leader!, ...followers)
    // The leader computes for 30 s (it will be killed); followers would take 200 ms.
    leader!.send({ cmd: 'call', key: 'k', computeMs: 30_000, id: 0 })
    await leader!.next('computing')
    const calls = followers.map((follower) =>
      follower.request({ cmd: 'call', key: 'k', computeMs: 200 }),
    )
    await sleep(500) // the followers are now waiting for the leader
    const killedAt = Date.now()
    await leader!.kill()
    const results = await Promise.all(calls)
    const waited = Date.now() - killedAt
    expect(results.map((r) => [r.ok, r.valid])).toEqual([
      [true, true],
      [true, true],
      [true, true],
    ])
    // One follower computed; the other two received its value.
    const computedBy = results.map((r) => (r.computed as Record<string, number>).k ?? 0)
    expect(computedBy.reduce((a, b) => a + b, 0)).toBe(1)
    expect(new Set(results.map((r) => r.value.payload)).size).toBe(1)
    // Lease (1 s) + poll (0.1 s) + compute (0.2 s) + margin; never "forever".
    expect(waited).toBeLessThan(5_000)
  })
})

describe('fail-open under a Redis crash', () => {
  let server: RedisServer
  afterEach(async () => {
    await server?.stop()
  })

  it('has zero failed calls and zero wrong values when Redis is SIGKILLed at 30% of 10,000 calls and restarted', async () => {
    server = await startRedisServer()
    const namespace = uniqueNamespace('crash')
    const operationTimeout = 250
    const computeMs = 5
    workers.push(
      ...(await startWorkers(4, (i) => ({
        url: server.url,
        namespace,
        name: `w${i}`,
        computeMs,
        operationTimeout,
        lockLease: 1_000,
        pollInterval: 100,
      }))),
    )
    const total = 10_000
    let progress = 0
    let killedAt = 0
    let restartedAt = 0
    const perWorker: number[] = workers.map(() => 0)
    const phases = new Promise<void>((resolve, reject) => {
      workers.forEach((worker, i) =>
        worker.child.on('message', (m: { type: string; done?: number }) => {
          if (m.type !== 'progress') return
          perWorker[i] = m.done ?? 0
          progress = perWorker.reduce((a, b) => a + b, 0)
          if (killedAt === 0 && progress >= total * 0.3) {
            killedAt = Date.now()
            server.kill().catch(reject)
          } else if (killedAt !== 0 && restartedAt === 0 && progress >= total * 0.6) {
            restartedAt = -1
            server
              .restart()
              .then(() => {
                restartedAt = Date.now()
                for (const w of workers) w.send({ cmd: 'watch-hits', keys: 100 })
                resolve()
              })
              .catch(reject)
          }
        }),
      )
    })
    for (const worker of workers)
      worker.send({ cmd: 'load', total: total / 4, loops: 8, keys: 100 })
    const reports = await Promise.all(workers.map((worker) => worker.next('done')))
    await phases
    const firstHits = await Promise.all(
      workers.map((worker) => worker.next('hit-after-restart', 10_000)),
    )
    expect(firstHits.map((m) => m.hit)).toEqual([true, true, true, true])
    const recovery = Math.min(...firstHits.map((m) => (m.at as number) - restartedAt))
    const figures = {
      calls: reports.reduce((a, r) => a + (r.done as number), 0),
      failed: reports.reduce((a, r) => a + (r.failed as number), 0),
      wrong: reports.reduce((a, r) => a + (r.wrong as number), 0),
      maxLatency: Math.round(Math.max(...reports.map((r) => r.maxLatency as number))),
      p99: Math.round(Math.max(...reports.map((r) => r.p99 as number))),
      computations: reports.reduce((a, r) => a + (r.computations as number), 0),
      outage: restartedAt - killedAt,
      recovery,
      errors: reports.flatMap((r) => r.errors as string[]),
    }
    console.log('SIGKILL at 30% of 10,000 calls, restart at 60%:', JSON.stringify(figures))
    expect(figures.calls).toBe(total)
    expect(figures.failed).toBe(0)
    expect(figures.wrong).toBe(0)
    // Every call: a few operation deadlines + its own computation + scheduling slack.
    expect(figures.maxLatency).toBeLessThan(4 * operationTimeout + 100 + computeMs + 1_000)
    // Back to cache hits within a second of Redis answering again.
    expect(recovery).toBeLessThan(1_000)
  })
})

describe('two-tier storage coherence across processes', () => {
  it('drops the other process’s memory copy on writes and invalidations', async () => {
    const namespace = uniqueNamespace('two-tier')
    const [a, b] = await startWorkers(2, (i) => ({
      url: testRedisUrl(),
      namespace,
      name: i === 0 ? 'A' : 'B',
      twoTier: true,
      // A forced refresh within the completion window of another refresh reuses its result;
      // this test forces right after computing.
      completionWindow: 0,
    }))
    workers.push(a!, b!)
    const first = await a!.request({ cmd: 'call', key: 'k' })
    // B reads it from Redis, then from its memory tier.
    const fromRedis = await b!.request({ cmd: 'call', key: 'k' })
    const fromMemory = await b!.request({ cmd: 'call', key: 'k' })
    expect(fromRedis.value).toEqual(first.value)
    expect(fromMemory.value).toEqual(first.value)
    expect((await b!.request({ cmd: 'stats' })).twoTier.localHits).toBeGreaterThanOrEqual(1)

    // A writes a new value: B stops serving its copy once the bus message arrives.
    const refreshed = await a!.request({ cmd: 'force', key: 'k' })
    expect(refreshed.value.payload).not.toBe(first.value.payload)
    const seen = await b!.request({
      cmd: 'read-until-changed',
      key: 'k',
      previous: first.value.payload,
    })
    expect(seen.value).toEqual(refreshed.value)
    console.log(
      `two-tier: B saw A's write ${seen.after} ms after it completed (${seen.reads} reads)`,
    )
    expect(seen.after).toBeLessThan(1_000)

    // A invalidates: the entry is gone from Redis and from B's memory; B recomputes.
    await a!.request({ cmd: 'invalidate', key: 'k' })
    const after = await b!.request({
      cmd: 'read-until-changed',
      key: 'k',
      previous: refreshed.value.payload,
    })
    expect(after.value.payload.startsWith('B:')).toBe(true)
    expect((await b!.request({ cmd: 'stats' })).computed.k).toBe(1)
  })
})
