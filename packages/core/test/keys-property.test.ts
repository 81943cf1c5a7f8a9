// Property: equal arguments give equal keys, different arguments different keys
// (reliability test plan B2), for encodeArguments and both key extractors.
import {
  EncodedMethodNameAndArgsKeyExtractor,
  EncodedMethodReferenceAndArgsKeyExtractor,
  MethodReference,
  encodeArguments,
} from '@memokit/core'
import fc from 'fast-check'
import { reorderedCopy, sameArgument } from './support/structural-equality'

const method = new MethodReference('search', { className: 'Index' })
const referenceExtractor = new EncodedMethodReferenceAndArgsKeyExtractor()
const nameExtractor = new EncodedMethodNameAndArgsKeyExtractor()

const keyers: Array<[string, (args: unknown[]) => string]> = [
  ['encodeArguments', (args) => encodeArguments(args)],
  [
    'EncodedMethodReferenceAndArgsKeyExtractor',
    (args) => referenceExtractor.formatKey(method, args),
  ],
  ['EncodedMethodNameAndArgsKeyExtractor', (args) => nameExtractor.formatKey(method, args)],
]

const extended = {
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBoxedValues: true,
}

/** fc.anything()'s values, plus BigInt, Buffer, lone surrogates and the special numbers. */
const wideValues = [
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'binary' }),
  fc.bigInt(),
  fc.date(),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(null, undefined, 0, -0, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER),
]

/** A small domain, so that two generated values are often equal or nearly equal. */
const narrowValues = [
  fc.constantFrom<unknown>(0, -0, 1, NaN, '', '0', '1', null, undefined, true, 1n, 0n),
  fc.constantFrom(new Date(0), new Date(NaN)).map((date) => new Date(date.getTime())),
  fc.constantFrom([0], [1], [0, 1]).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom([0], [1]).map((bytes) => new Uint8Array(bytes)),
]

const wideArgs = fc.array(fc.anything({ ...extended, values: wideValues, maxDepth: 4 }), {
  maxLength: 4,
})
const narrowArgs = fc.array(
  fc.anything({
    ...extended,
    values: narrowValues,
    key: fc.constantFrom('a', 'b'),
    maxDepth: 2,
    maxKeys: 2,
  }),
  { maxLength: 2 },
)

describe.each(keyers)('%s', (_name, key) => {
  it('gives equal keys to equal arguments built in a different order', () => {
    fc.assert(
      fc.property(wideArgs, (args) => {
        const copy = reorderedCopy(args) as unknown[]
        expect(sameArgument(args, copy)).toBe(true)
        expect(key(copy)).toBe(key(args))
      }),
      { numRuns: 1000 },
    )
  })

  it('gives equal keys exactly to equal arguments (wide domain)', () => {
    fc.assert(
      fc.property(wideArgs, wideArgs, (a, b) => {
        expect(key(a) === key(b)).toBe(sameArgument(a, b))
      }),
      { numRuns: 1000 },
    )
  })

  it('gives equal keys exactly to equal arguments (narrow domain, frequent near-collisions)', () => {
    let equalPairs = 0
    fc.assert(
      fc.property(narrowArgs, narrowArgs, (a, b) => {
        const same = sameArgument(a, b)
        if (same) equalPairs++
        expect(key(a) === key(b)).toBe(same)
      }),
      { numRuns: 3000 },
    )
    expect(equalPairs).toBeGreaterThan(20) // the domain really produces equal pairs
  })
})

describe('the reference equality used above', () => {
  it.each<[string, unknown, unknown, boolean]>([
    ['-0 and 0', -0, 0, false],
    ['NaN and NaN', NaN, NaN, true],
    ['key order', { b: 1, a: 2 }, { a: 2, b: 1 }, true],
    [
      'Map order',
      new Map([
        [1, 'a'],
        [2, 'b'],
      ]),
      new Map([
        [2, 'b'],
        [1, 'a'],
      ]),
      true,
    ],
    ['Set order', new Set([1, 2]), new Set([2, 1]), true],
    // eslint-disable-next-line no-sparse-arrays
    ['a hole and undefined', [, 1], [undefined, 1], false],
    ['Buffer and Uint8Array', Buffer.from('ab'), new Uint8Array([97, 98]), false],
  ])('judges %s', (_label, a, b, equal) => {
    expect(sameArgument(a, b)).toBe(equal)
  })
})
