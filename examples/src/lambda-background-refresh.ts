// memoizedInvoke: a Lambda invocation memoized by the core engine, so it gets any memokit
// configuration. Here: refresh in the background after one minute, expire after ten. A
// FakeClock stands in for the passing minutes so the output is always the same.
import { DefaultInMemoryCacheConfiguration, minutes } from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import { memoizedInvoke } from '@memokit/lambda'
import { LocalLambdaServer } from '@memokit/lambda/testing'

let version = 0
const server = await LocalLambdaServer()
  .register('price', (event: { sku: string }) => ({ sku: event.sku, version: ++version }))
  .start()
const lambdaClient = server.createClient()

const clock = new FakeClock()
const price = memoizedInvoke<{ sku: string; version: number }, { sku: string }>({
  lambdaClient,
  functionName: 'price',
  configuration: DefaultInMemoryCacheConfiguration({
    clock,
    updateAfter: minutes(1),
    expireAfter: minutes(10),
  }),
})

const show = async (label: string): Promise<void> => {
  const { sku, version } = await price({ sku: 'A-1' })
  console.log(`${label}: ${sku} v${version} (invocations: ${server.invocationCount('price')})`)
}

await show('first call')
clock.advance(minutes(0.5))
await show('30 s later, fresh')
clock.advance(minutes(1))
await show('90 s later, stale') // served at once; one background refresh starts
await price.control.settle() // what a Lambda handler would await before returning
await show('after the refresh')
clock.advance(minutes(11))
await show('11 min later, expired') // waits for a new invocation

lambdaClient.destroy()
await server.close()

// Output:
// first call: A-1 v1 (invocations: 1)
// 30 s later, fresh: A-1 v1 (invocations: 1)
// 90 s later, stale: A-1 v1 (invocations: 1)
// after the refresh: A-1 v2 (invocations: 2)
// 11 min later, expired: A-1 v3 (invocations: 3)
