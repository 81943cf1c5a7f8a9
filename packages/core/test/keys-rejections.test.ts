// Arguments that cannot be encoded faithfully reject the call with KeyDerivationError, at
// call time and without running the method (reliability test plan B4); keys are read when the
// call is made; classes opt in with [cacheKey]().
import {
  DefaultInMemoryCacheConfiguration,
  EncodedMethodNameAndArgsKeyExtractor,
  KeyDerivationError,
  MemoizeError,
  MutableCacheConfiguration,
  cacheKey,
  encodeArguments,
  encodeValue,
  memoize,
  memoizeConcurrent,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { deferred } from './support/harness'

function deep(levels: number): unknown {
  let value: unknown = 'leaf'
  for (let i = 0; i < levels; i++) value = { next: value }
  return value
}

function deepArray(levels: number): unknown {
  let value: unknown = []
  for (let i = 0; i < levels; i++) value = [value]
  return value
}

const HUGE = 'x'.repeat(100 * 1024 * 1024)

class Plain {
  x = 1
}

const selfCycle: Record<string, unknown> = { name: 'self' }
selfCycle.me = selfCycle
const mutualA: Record<string, unknown> = { name: 'a' }
const mutualB: Record<string, unknown> = { name: 'b', a: mutualA }
mutualA.b = mutualB
const arrayCycle: unknown[] = [1]
arrayCycle.push([arrayCycle])
const mapCycle = new Map<string, unknown>()
mapCycle.set('me', mapCycle)

const unencodable: Array<[string, unknown[], RegExp]> = [
  ['a self-referencing object', [selfCycle], /cycle/],
  ['mutually referencing objects', [mutualA], /cycle/],
  ['a cycle through arrays', [arrayCycle], /cycle/],
  ['a cycle through a Map', [mapCycle], /cycle/],
  ['a function', [() => 1], /function/],
  ['a function nested in an object', [{ onDone: () => 1 }], /function/],
  ['an object with a toJSON() method', [{ toJSON: () => 'x' }], /function/],
  ['a symbol', [Symbol('s')], /symbol/],
  ['a registered symbol in an array', [[Symbol.for('s')]], /symbol/],
  ['an object with a symbol key', [{ [Symbol('k')]: 1 }], /symbol keys/],
  ['a class instance without [cacheKey]()', [new Plain()], /Plain.*\[cacheKey\]\(\)/],
  ['an Error', [new Error('x')], /Error/],
  ['a Promise', [Promise.resolve(1)], /Promise/],
  ['a WeakMap', [new WeakMap()], /WeakMap/],
  ['a WeakRef', [new WeakRef({})], /WeakRef/],
  [
    'a getter that throws',
    [
      {
        get boom(): never {
          throw new Error('nope')
        },
      },
    ],
    /nope/,
  ],
  ['nesting 10,000 levels deep', [deep(10_000)], /deeper than 64/],
  ['arrays nested 10,000 levels deep', [deepArray(10_000)], /deeper than 64/],
  ['a sparse array of length 2^32 - 1', [new Array(2 ** 32 - 1)], /more than 10000 values/],
  ['a 1e6-element array', [new Array(1_000_000).fill(0)], /more than 10000 values/],
  ['a 100 MiB string', [HUGE], /exceed/],
  ['a 100 MiB string inside an object', [{ s: HUGE }], /exceed/],
  ['a huge Buffer', [Buffer.alloc(2 * 1024 * 1024)], /exceed/],
]

describe('encodeArguments', () => {
  it.each(unencodable)('raises KeyDerivationError for %s', (_label, args, message) => {
    let error: unknown
    try {
      encodeArguments(args)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(KeyDerivationError)
    expect(error).toBeInstanceOf(MemoizeError)
    expect((error as KeyDerivationError).code).toBe('E_KEY_DERIVATION')
    expect((error as KeyDerivationError).message).toMatch(message)
  })

  it('names where in the arguments the problem is', () => {
    const error = (() => {
      try {
        encodeArguments(['ok', { items: [1, 2, () => 3] }])
      } catch (e) {
        return e as KeyDerivationError
      }
    })()
    expect(error?.path).toBe('args[1].items[2]')
  })

  it('accepts a value that repeats an object without a cycle (a DAG)', () => {
    const shared = { id: 1 }
    expect(encodeArguments([[shared, shared]])).toBe(encodeArguments([[{ id: 1 }, { id: 1 }]]))
  })

  it('honours custom limits', () => {
    expect(() => encodeValue(deep(5), { maxDepth: 3 })).toThrow(KeyDerivationError)
    expect(() => encodeValue([1, 2, 3, 4], { maxNodes: 3 })).toThrow(KeyDerivationError)
    expect(() => encodeValue('abcdef', { maxLength: 3 })).toThrow(KeyDerivationError)
    expect(encodeValue(deep(5), { maxDepth: 10 })).toContain('"leaf"')
  })
})

describe('a memoized call with arguments that cannot be keyed', () => {
  it.each(unencodable)(
    'rejects with KeyDerivationError for %s without running the method',
    async (_label, args) => {
      let runs = 0
      const fn = memoize(
        async (..._args: unknown[]) => {
          runs++
          return 1
        },
        { configuration: DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }) },
      )
      // the call returns a rejected promise; it does not throw synchronously
      let call: Promise<unknown> | undefined
      expect(() => (call = fn(...args))).not.toThrow()
      await expect(call).rejects.toBeInstanceOf(KeyDerivationError)
      expect(runs).toBe(0)
    },
  )

  it('rejects the same way with the cross-process key extractor', async () => {
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
    ).setKeyExtractor(new EncodedMethodNameAndArgsKeyExtractor())
    let runs = 0
    const fn = memoize(
      async function load(_arg: unknown) {
        runs++
      },
      { configuration },
    )
    await expect(fn(selfCycle)).rejects.toBeInstanceOf(KeyDerivationError)
    await expect(fn(() => 1)).rejects.toBeInstanceOf(KeyDerivationError)
    expect(runs).toBe(0)
  })

  it('wraps a failing custom key extractor in KeyDerivationError', async () => {
    const boom = new Error('extractor failed')
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
    ).setKeyExtractor({
      formatKey: () => {
        throw boom
      },
    })
    const fn = memoize(async () => 1, { configuration })
    const error = await fn().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeyDerivationError)
    expect((error as Error).cause).toBe(boom)
  })

  it('rejects memoizeConcurrent calls the same way', async () => {
    let runs = 0
    const fn = memoizeConcurrent(async (_arg: unknown) => ++runs)
    await expect(fn(selfCycle)).rejects.toBeInstanceOf(KeyDerivationError)
    await expect(fn(Symbol('s'))).rejects.toBeInstanceOf(KeyDerivationError)
    expect(runs).toBe(0)
  })
})

describe('the key of a call', () => {
  it('is read when the call is made: mutating the argument afterwards changes nothing', async () => {
    // given a call in flight with an object argument
    const gate = deferred<void>()
    let runs = 0
    const fn = memoize(async (_query: { q: string }) => {
      const run = ++runs
      await gate.promise
      return `result #${run}`
    })
    const query = { q: 'cats' }
    const first = fn(query)
    await flushPromises()
    // when the caller mutates the object while the call runs
    query.q = 'dogs'
    gate.resolve()
    expect(await first).toBe('result #1')
    // then the entry is stored under the arguments as they were at call time
    expect(await fn({ q: 'cats' })).toBe('result #1')
    // and the mutated arguments are another key
    expect(await fn({ q: 'dogs' })).toBe('result #2')
  })

  it('is taken from [cacheKey]() for class instances that define it', async () => {
    class UserId {
      constructor(
        readonly id: string,
        readonly loadedAt = Math.random(),
      ) {}
      [cacheKey](): string {
        return this.id
      }
    }
    class OrderId {
      constructor(readonly id: string) {}
      [cacheKey](): string {
        return this.id
      }
    }
    let loads = 0
    const load = memoize(async (_id: UserId | OrderId) => ++loads)
    expect(await load(new UserId('42'))).toBe(1)
    expect(await load(new UserId('42'))).toBe(1) // other fields are ignored
    expect(await load(new UserId('43'))).toBe(2)
    expect(await load(new OrderId('42'))).toBe(3) // another class never collides
    await flushPromises()
  })

  it('rejects a [cacheKey]() that returns the instance itself (a cycle)', () => {
    class Selfish {
      [cacheKey](): unknown {
        return this
      }
    }
    expect(() => encodeArguments([new Selfish()])).toThrow(KeyDerivationError)
  })
})
