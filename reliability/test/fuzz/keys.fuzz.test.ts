// Fuzzing key derivation (test plan B2, B4, B5) with fast-check. In `pnpm test` a few hundred
// runs per property; `pnpm soak` runs each for a time budget (MEMOKIT_FUZZ_SECONDS).
//
// - Equal arguments ⇔ equal keys, with the reference equality of packages/core/test (a small
//   domain, so equal and nearly equal values meet often), for both key extractors.
// - Hostile arguments (getters that throw, lying proxies, toJSON, symbols, functions, cycles,
//   JSON-made __proto__ keys, deep nesting): a key or a KeyDerivationError, nothing else; the
//   same key twice; Object.prototype untouched.
import {
  EncodedMethodNameAndArgsKeyExtractor,
  EncodedMethodReferenceAndArgsKeyExtractor,
  KeyDerivationError,
  MethodReference,
} from '@memokit/core'
import fc from 'fast-check'
import {
  reorderedCopy,
  sameArgument,
} from '../../../packages/core/test/support/structural-equality'
import { checkProperty } from '../support/fuzz'

jest.setTimeout(15 * 60_000)

const method = new MethodReference('search', { className: 'Index' })
const extractors: [string, (args: unknown[]) => string][] = [
  ['name', (args) => new EncodedMethodNameAndArgsKeyExtractor().formatKey(method, args)],
  ['reference', (args) => new EncodedMethodReferenceAndArgsKeyExtractor().formatKey(method, args)],
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
const narrowValues = [
  fc.constantFrom<unknown>(0, -0, 1, NaN, '', '0', '1', null, undefined, true, 1n, 0n, '\uD800'),
  fc.constantFrom(new Date(0), new Date(NaN)).map((date) => new Date(date.getTime())),
  fc.constantFrom([0], [1]).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom([0], [1]).map((bytes) => new Uint8Array(bytes)),
]
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

/** Values that misbehave when looked at. */
const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
  fc.constant({
    get boom(): never {
      throw new Error('getter throws')
    },
  }),
  fc.constant(
    new Proxy(
      {},
      {
        ownKeys: () => ['ghost'],
        getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }),
      },
    ),
  ),
  fc.constant(
    new Proxy(
      { a: 1 },
      {
        get: () => {
          throw new Error('proxy get throws')
        },
      },
    ),
  ),
  fc.constant({ toJSON: () => 'x' }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": 1}}') as unknown),
  fc.constant({ constructor: { prototype: { polluted: 1 } } }),
  fc.constant(Object.assign(Object.create({ inherited: 1 }) as object, { own: 1 })),
  fc.constant(new (class Secret {})()),
  fc.constant(new WeakMap()),
  fc.constant(Promise.resolve(1)),
  fc.constant({ [Symbol('k')]: 1 }),
  fc.integer({ min: 60, max: 70 }).map((depth) => {
    let value: unknown = 0
    for (let i = 0; i < depth; i++) value = { next: value }
    return value
  }),
  fc.constant(null).map(() => {
    const cycle: Record<string, unknown> = {}
    cycle.self = { back: cycle }
    return cycle
  }),
  fc.string({ unit: 'binary', maxLength: 40 }),
)
const hostileArgs = fc.array(
  fc.anything({ ...extended, values: [hostileLeaf, fc.integer(), fc.string()], maxDepth: 3 }),
  { maxLength: 3 },
)

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort()

describe.each(extractors)('key derivation (%s extractor) under fuzzing', (name, key) => {
  it('gives equal keys to equal arguments and different keys to different ones', async () => {
    await checkProperty(
      `keys: equality (${name})`,
      fc.property(narrowArgs, narrowArgs, (a, b) => {
        expect(key(reorderedCopy(a) as unknown[])).toBe(key(a))
        expect(key(a) === key(b)).toBe(sameArgument(a, b))
      }),
      500,
    )
  })

  it('answers hostile arguments with a key or a KeyDerivationError, the same each time, polluting nothing', async () => {
    await checkProperty(
      `keys: hostile arguments (${name})`,
      fc.property(hostileArgs, (args) => {
        const derive = (): string | KeyDerivationError => {
          try {
            return key(args)
          } catch (error) {
            if (error instanceof KeyDerivationError) return error
            throw new Error(`not a KeyDerivationError: ${String(error)}`, { cause: error })
          }
        }
        const first = derive()
        const second = derive()
        if (typeof first === 'string') expect(second).toBe(first)
        else expect(second).toBeInstanceOf(KeyDerivationError)
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames)
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      }),
      300,
    )
  })
})
