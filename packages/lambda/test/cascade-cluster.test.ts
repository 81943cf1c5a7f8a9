// The cascade on a real 3-master Redis Cluster: every step and SharedMemory page is one Redis
// key (hash) and every script touches one key, so steps spread over the masters and chains run
// as on a single server. Event invocations go through the real LambdaClient to a
// LocalLambdaServer.
import type { CascadeStep } from '@memokit/lambda'
import { createRedisCluster } from '@memokit/redis'
import { Redis } from 'ioredis'
import { startRedisCluster, type RedisCluster } from '@memokit/redis/testing'
import { startCascadeHarness, type CascadeHarness } from './support/cascade-harness.js'

let cluster: RedisCluster
const harnesses: CascadeHarness[] = []

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 })
}, 60_000)

afterAll(async () => {
  await cluster.stop()
})

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close()
})

async function harness(functions: string[]): Promise<CascadeHarness> {
  const started = await startCascadeHarness(() => createRedisCluster([...cluster.startupNodes]), {
    functions,
  })
  harnesses.push(started)
  return started
}

/** How many of the namespace's Redis keys each master holds. */
async function keysPerMaster(h: CascadeHarness): Promise<number[]> {
  return Promise.all(
    cluster.startupNodes.map(async ({ host, port }) => {
      const node = new Redis({ host, port, lazyConnect: true })
      await node.connect()
      const keys = await node.keys(`*${h.namespace}*`)
      node.disconnect()
      return keys.length
    }),
  )
}

describe('the cascade on a Redis Cluster', () => {
  it('runs 20 concurrent 3-step chains with a catch, results flowing, state spread over the masters', async () => {
    const h = await harness(['load', 'square', 'label', 'alert'])
    const { LambdaPromise, lambdaPromise } = h.cascade
    lambdaPromise((payload: { n: number }) => payload.n, { functionName: 'load' })
    lambdaPromise((promise: CascadeStep) => (promise.parent!.result as number) ** 2, {
      passPromiseObject: true,
      functionName: 'square',
    })
    lambdaPromise((promise: CascadeStep) => `n²=${String(promise.parent!.result)}`, {
      passPromiseObject: true,
      functionName: 'label',
    })
    lambdaPromise(() => 'alerted', { functionName: 'alert' })

    const roots = Array.from({ length: 20 }, (_, n) =>
      LambdaPromise({ functionName: 'load', payload: { n } })
        .then(
          LambdaPromise({ functionName: 'square' }).then(LambdaPromise({ functionName: 'label' })),
        )
        .catch(LambdaPromise({ functionName: 'alert' })),
    )
    await Promise.all(roots.map((root) => root.asyncProceed()))
    await h.server.settle()

    for (const [n, root] of roots.entries()) {
      const state = await h.cascade.inspect(root.uid)
      expect(state).toMatchObject({ status: 'completed', result: n, settled: true })
      const square = state.then[0]!
      expect([square.status, square.result]).toEqual(['completed', n * n])
      expect(square.then.map((step) => [step.status, step.result])).toEqual([
        ['completed', `n²=${n * n}`],
      ])
      expect(state.catch.map((step) => step.status)).toEqual(['skipped'])
    }
    expect([h.ran('load'), h.ran('square'), h.ran('label'), h.ran('alert')]).toEqual([
      20, 20, 20, 0,
    ])
    // 80 steps: every master holds some of them.
    const perMaster = await keysPerMaster(h)
    expect(perMaster.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(80)
    for (const count of perMaster) expect(count).toBeGreaterThan(0)
  }, 60_000)

  it('shares typed SharedMemory pages between Lambdas on the cluster', async () => {
    const h = await harness(['writer'])
    const page = h.cascade.SharedMemory()
    await page.set('when', new Date(0))
    await page.set('tags', new Set(['a', 'b']))
    const other = h.cascade.SharedMemory(page.uid)
    expect(await other.get('when')).toEqual(new Date(0))
    expect(await other.get('tags')).toEqual(new Set(['a', 'b']))
    expect((await other.keys()).sort()).toEqual(['tags', 'when'])
    await other.clear()
    expect(await page.keys()).toEqual([])
  })
})
