// Type-level tests, checked at compile time by `tsc -p tsconfig.test.json` (and ts-jest):
// memoized functions and decorated methods keep their exact parameter and return types, and
// what cannot be memoized does not compile.
import {
  InvalidationSupport,
  forceRefresh,
  memoize,
  memoizeConcurrent,
  type invalidate,
  type withSignal,
  type CacheEntry,
  type MemoizeStats,
} from '@memokit/core'

/** True only when A and B are the same type (not merely assignable). */
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function expectType<T extends true>(): T | undefined {
  return undefined
}

interface User {
  id: string
  name: string
}

class Users {
  @memoize()
  async byId(id: string, options?: { fresh: boolean }): Promise<User> {
    return { id, name: options?.fresh ? 'fresh' : 'cached' }
  }

  @memoize()
  static async count(filter: { active: boolean }): Promise<number> {
    return filter.active ? 1 : 0
  }

  @memoize()
  async generic<T extends string>(value: T): Promise<T> {
    return value
  }

  // @ts-expect-error -- a synchronous method cannot be memoized
  @memoize()
  sync(id: string): string {
    return id
  }

  // @ts-expect-error -- neither can a method returning a non-promise value
  @memoize()
  maybe(id: string): string | Promise<string> {
    return id
  }
}

const users = new Users()

// decorated methods keep their parameters and return types
expectType<Equals<Parameters<Users['byId']>, [id: string, options?: { fresh: boolean }]>>()
expectType<Equals<ReturnType<Users['byId']>, Promise<User>>>()
expectType<Equals<Parameters<typeof Users.count>, [filter: { active: boolean }]>>()
expectType<Equals<ReturnType<typeof Users.count>, Promise<number>>>()
expectType<Equals<Awaited<ReturnType<typeof users.generic<'x'>>>, 'x'>>()

// memoized functions have exactly the type of the function they wrap
const fetchRate = memoize(async (ccy: string, at?: Date): Promise<number> => (at ? 1 : ccy.length))
expectType<Equals<typeof fetchRate, (ccy: string, at?: Date) => Promise<number>>>()
async function loadMany(...ids: number[]): Promise<Map<number, string>> {
  return new Map(ids.map((id) => [id, String(id)]))
}
const memoizedMany = memoize(loadMany)
expectType<Equals<typeof memoizedMany, typeof loadMany>>()
void memoizedMany
const concurrent = memoizeConcurrent(async (key: string, n: number) => ({ key, n }))
expectType<
  Equals<typeof concurrent, (key: string, n: number) => Promise<{ key: string; n: number }>>
>()

// the call helpers return the call's own type
expectType<Equals<ReturnType<typeof forceRefresh<Promise<User>>>, Promise<User>>>()
expectType<Equals<ReturnType<typeof invalidate>, Promise<void>>>()
expectType<Equals<ReturnType<typeof withSignal<Promise<number>>>, Promise<number>>>()

// entries and stats are read-only data
expectType<Equals<CacheEntry<number>['value'], number>>()
expectType<Equals<MemoizeStats['hits'], number>>()

function compileErrors(): void {
  // @ts-expect-error -- wrong argument type
  void fetchRate(5)
  // @ts-expect-error -- missing argument
  void fetchRate()
  // @ts-expect-error -- a decorated method keeps its parameter types
  void users.byId(42)
  // @ts-expect-error -- memoize() wraps async functions only
  memoize((x: number) => x * 2)
  // @ts-expect-error -- memoizeConcurrent() too
  memoizeConcurrent((x: number) => x * 2)
  // @ts-expect-error -- unknown memoize() option
  memoize(async () => 1, { ttl: 5 })
  // @ts-expect-error -- invalidation arguments are checked
  void new InvalidationSupport<[id: string]>().invalidateForArguments([5])
  // @ts-expect-error -- the result of a forced refresh keeps its type
  const wrong: Promise<string> = forceRefresh(() => users.byId('1'))
  void wrong
}

it('compiles the type-level assertions above (checked by tsc)', async () => {
  expect(typeof compileErrors).toBe('function')
  expect(await users.byId('1')).toEqual({ id: '1', name: 'cached' })
  expect(await Users.count({ active: true })).toBe(1)
  expect(await fetchRate('EUR')).toBe(3)
  expect(await concurrent('k', 1)).toEqual({ key: 'k', n: 1 })
})
