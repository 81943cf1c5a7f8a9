// py-memoize's "basic" example: the default configuration caches results in memory.
import { randomInt } from 'node:crypto'
import { memoize } from '@memokit/core'

const expensiveComputation = memoize(async () => {
  return 'expensive-computation-' + randomInt(1, 101)
})

console.log(await expensiveComputation())
console.log(await expensiveComputation())
console.log(await expensiveComputation())

// Output (one random number, computed once, served three times):
// expensive-computation-{{(?<n>\d+)}}
// expensive-computation-{{\k<n>}}
// expensive-computation-{{\k<n>}}
