// aiomemoizeconcurrent's example: memoizeConcurrent() collapses concurrent identical calls into
// one execution and caches nothing once they settle.
import { setTimeout as sleep } from 'node:timers/promises'
import { memoizeConcurrent } from '@memokit/core'

async function coro(value: string): Promise<string> {
  console.log('Inside coro', value)
  await sleep(100)
  return value
}

const memoizedCoro = memoizeConcurrent(coro)

const results = await Promise.all([memoizedCoro('a'), memoizedCoro('a'), memoizedCoro('b')])
console.log(results)

await memoizedCoro('a') // the earlier call has settled: this one runs again

// Output:
// Inside coro a
// Inside coro b
// [ 'a', 'a', 'b' ]
// Inside coro a
