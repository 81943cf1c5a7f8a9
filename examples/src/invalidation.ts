// py-memoize's "manual invalidation" example, with the typed alternative.
import { randomInt } from 'node:crypto'
import {
  DefaultInMemoryCacheConfiguration,
  InvalidationSupport,
  invalidate,
  memoize,
} from '@memokit/core'

const invalidation = new InvalidationSupport<[arg: string, options: { kwarg: string }]>()

const expensiveComputation = memoize(
  async (_arg: string, _options: { kwarg: string }) => 'expensive-computation-' + randomInt(1, 101),
  { configuration: new DefaultInMemoryCacheConfiguration(), invalidation },
)

console.log(await expensiveComputation('arg1', { kwarg: 'kwarg1' }))
console.log(await expensiveComputation('arg1', { kwarg: 'kwarg1' }))

console.log('Invalidation #1')
await invalidation.invalidateForArguments(['arg1', { kwarg: 'kwarg1' }])

console.log(await expensiveComputation('arg1', { kwarg: 'kwarg1' }))
console.log(await expensiveComputation('arg1', { kwarg: 'kwarg1' }))

console.log('Invalidation #2 (typed by the call itself)')
await invalidate(() => expensiveComputation('arg1', { kwarg: 'kwarg1' }))

console.log(await expensiveComputation('arg1', { kwarg: 'kwarg1' }))

// Output:
// expensive-computation-{{(?<first>\d+)}}
// expensive-computation-{{\k<first>}}
// Invalidation #1
// expensive-computation-{{(?<second>\d+)}}
// expensive-computation-{{\k<second>}}
// Invalidation #2 (typed by the call itself)
// expensive-computation-{{\d+}}
