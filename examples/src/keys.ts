// How arguments become cache keys: canonical, type-tagged, order-insensitive for objects;
// functions, symbols, cycles and unknown class instances are refused at call time.
import { type KeyDerivationError, cacheKey, encodeArguments, memoize } from '@memokit/core'

console.log(encodeArguments([{ b: 1, a: 2 }]) === encodeArguments([{ a: 2, b: 1 }]))
console.log(encodeArguments([1]) === encodeArguments(['1']))
console.log(encodeArguments([undefined]) === encodeArguments([null]))
console.log(encodeArguments([new Date(0)]) === encodeArguments(['1970-01-01T00:00:00.000Z']))
console.log(encodeArguments([{ when: new Date(0), tags: new Set(['b', 'a']) }]))

/** A class used as an argument declares what identifies its instances. */
class Money {
  readonly #cents: number
  constructor(
    cents: number,
    readonly currency: string,
  ) {
    this.#cents = cents
  }
  [cacheKey](): unknown {
    return [this.#cents, this.currency]
  }
}

let calls = 0
const convert = memoize(async (amount: Money, to: string) => {
  calls++
  return `${amount.currency}->${to}`
})
await convert(new Money(100, 'EUR'), 'USD')
await convert(new Money(100, 'EUR'), 'USD')
await convert(new Money(250, 'EUR'), 'USD')
console.log(`conversions computed: ${calls}`)

const cyclic: Record<string, unknown> = {}
cyclic.self = cyclic
try {
  await convert(cyclic as unknown as Money, 'USD')
} catch (error) {
  console.log(`${(error as KeyDerivationError).name}: ${(error as KeyDerivationError).message}`)
}

// Output:
// true
// false
// false
// false
// [{"tags":S{"a","b"},"when":D0}]
// conversions computed: 2
// KeyDerivationError: arguments contain a cycle; a cyclic value cannot be encoded as a cache key (at args[0].self)
