// Any value is a cacheable result: falsy values are hits, not misses; what the method throws
// (Error or not) is handed over as the cause.
import { CachedMethodFailedError, memoize } from '@memokit/core'

describe('cached values', () => {
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['false', false],
    ['0', 0],
    ['-0', -0],
    ['NaN', NaN],
    ['an empty string', ''],
  ])('caches %s like any other value', async (_label, value) => {
    let runs = 0
    const get = memoize(async () => {
      runs++
      return value
    })
    expect(Object.is(await get(), value)).toBe(true)
    expect(Object.is(await get(), value)).toBe(true)
    expect(runs).toBe(1)
  })

  it('hands out the very object the method returned (no copy without DeepcopyPostprocessing)', async () => {
    const object = { a: 1 }
    const get = memoize(async () => object)
    expect(await get()).toBe(object)
    expect(await get()).toBe(object)
  })
})

describe('failures', () => {
  it.each<[string, unknown]>([
    ['a string', 'plain string'],
    ['undefined', undefined],
    ['an object', { code: 42 }],
  ])('keep %s thrown by the method as the cause', async (_label, thrown) => {
    const get = memoize(async () => {
      throw thrown
    })
    const error = await get().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CachedMethodFailedError)
    expect((error as Error).cause).toBe(thrown)
  })

  it('turn a synchronous throw of a promise-returning function into a rejection', async () => {
    const boom = new Error('sync')
    const get = memoize((): Promise<number> => {
      throw boom
    })
    let call: Promise<number> | undefined
    expect(() => (call = get())).not.toThrow()
    const error = await call!.catch((e: unknown) => e)
    expect((error as Error).cause).toBe(boom)
  })
})
