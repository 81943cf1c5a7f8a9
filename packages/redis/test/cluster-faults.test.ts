// A master of a 3-master Redis Cluster SIGKILLed under load, then restarted: calls whose keys
// live on the dead master fail open (computed, never failed, never wrong, within the operation
// deadline), keys on the other masters keep hitting (each master has its own circuit breaker;
// with one breaker per client, the dead master's faults kept it open and the whole cache went
// cold: 52 hits in 3 s instead of ~10,000), and the restarted master rejoins with its slots and
// serves hits again. Runs on a cluster of its own, so the kill disturbs no other test.
import { cacheControl, memoize } from '@memokit/core'
import { createRedisCluster, RedisCacheConfiguration, RedisCacheStorage } from '@memokit/redis'
import { startRedisCluster, type RedisCluster } from '@memokit/redis/testing'
import type { Cluster } from 'ioredis'
import { connected, sleep, uniqueNamespace } from './support/redis'

jest.setTimeout(60_000)

let cluster: RedisCluster
let redis: Cluster
beforeAll(async () => {
  // Without replicas, a cluster that requires full slot coverage refuses every query once a
  // master is marked failed (CLUSTERDOWN); caches usually run with coverage not required, so
  // the live masters keep serving their slots.
  cluster = await startRedisCluster({
    masters: 3,
    args: ['--cluster-require-full-coverage', 'no'],
  })
  redis = (await connected(createRedisCluster([...cluster.startupNodes]))) as Cluster
}, 60_000)
afterAll(async () => {
  redis?.disconnect()
  await cluster?.stop()
})

interface Call {
  key: string
  start: number
  end: number
  ok: boolean
  right: boolean
}

describe('a Redis Cluster master SIGKILLed under load', () => {
  it('fails open for its keys only, with zero failed or wrong calls, and recovers after a restart', async () => {
    const operationTimeout = 250
    const computeMs = 5
    const namespace = uniqueNamespace('cluster-kill')
    const storage = new RedisCacheStorage({
      client: redis,
      namespace,
      operationTimeout,
    })
    const configuration = RedisCacheConfiguration({
      storage,
      updateAfter: 300_000,
      expireAfter: 600_000,
    })
    const fn = memoize(
      async (key: string) => {
        await sleep(computeMs)
        return `value-of-${key}`
      },
      { configuration, name: 'cluster.fn' },
    )
    /** The Redis key holding the entry of `fn(key)`. */
    const redisKeyOf = (key: string): string =>
      storage.redisKey(
        configuration.keyExtractor().formatKey(cacheControl(fn).reference, [key], undefined),
      )
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}`)
    // Which master holds each key (by the port of the node answering for its slot).
    const victim = cluster.nodes[1]!
    const onVictim = new Set<string>()
    const ranges = await redis.cluster('SLOTS')
    for (const key of keys) {
      const slot = await redis.cluster('KEYSLOT', redisKeyOf(key))
      const range = ranges.find(([from, to]) => slot >= from && slot <= to)!
      if (range[2]?.[1] === victim.port) onVictim.add(key)
    }
    expect(onVictim.size).toBeGreaterThan(5)
    expect(onVictim.size).toBeLessThan(keys.length)

    const calls: Call[] = []
    let running = true
    const loops = Array.from({ length: 16 }, async () => {
      while (running) {
        const key = keys[Math.floor(Math.random() * keys.length)]!
        const start = Date.now()
        try {
          const value = await fn(key)
          calls.push({ key, start, end: Date.now(), ok: true, right: value === `value-of-${key}` })
        } catch {
          calls.push({ key, start, end: Date.now(), ok: false, right: false })
        }
      }
    })
    await sleep(1_000) // warm: every key cached
    const hitsBefore = storage.stats().hits

    await victim.kill()
    const killedAt = Date.now()
    const hitsAtKill = storage.stats().hits
    await sleep(3_000)
    const hitsDuringOutage = storage.stats().hits - hitsAtKill
    await victim.restart()
    const restartedAt = Date.now()
    // Recovery: a hit on a key of the restarted master (its data is gone: the first call
    // recomputes and stores it, the next one hits).
    let recovery = Infinity
    const probe = [...onVictim][0]!
    while (Date.now() - restartedAt < 10_000) {
      await fn(probe)
      if ((await redis.exists(redisKeyOf(probe)).catch(() => 0)) === 1) {
        recovery = Date.now() - restartedAt
        break
      }
      await sleep(20)
    }
    await sleep(300)
    running = false
    await Promise.all(loops)

    const during = calls.filter((c) => c.end >= killedAt && c.start <= restartedAt)
    const victimCalls = during.filter((c) => onVictim.has(c.key))
    const figures = {
      calls: calls.length,
      callsDuringOutage: during.length,
      onDeadMaster: victimCalls.length,
      failed: calls.filter((c) => !c.ok).length,
      wrong: calls.filter((c) => c.ok && !c.right).length,
      maxLatencyDuringOutage: Math.max(...during.map((c) => c.end - c.start)),
      hitsBefore,
      hitsDuringOutage,
      recoveryAfterRestart: recovery,
      storage: storage.stats(),
    }
    console.log('cluster master SIGKILL:', JSON.stringify(figures))
    expect(figures.failed).toBe(0)
    expect(figures.wrong).toBe(0)
    expect(victimCalls.length).toBeGreaterThan(20) // calls for the dead master's keys went on
    // The other masters kept serving hits: faults on the dead one open only its own breaker.
    expect(hitsDuringOutage).toBeGreaterThan(0.5 * (during.length - victimCalls.length))
    // A read and a write deadline for a key on the dead master, the method, and slack.
    expect(figures.maxLatencyDuringOutage).toBeLessThan(2 * operationTimeout + computeMs + 500)
    expect(recovery).toBeLessThan(5_000)
  })
})
