// py-memoize tests/unit/test_postprocessing.py, and DeepcopyPostprocessing / deepCopy: callers
// may mutate what they get without touching the cache.
/* eslint-disable no-sparse-arrays */
import {
  DeepcopyPostprocessing,
  DefaultInMemoryCacheConfiguration,
  MutableCacheConfiguration,
  NoPostprocessing,
  deepCopy,
  memoize,
  settle,
  type Postprocessing,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { deferred } from './support/harness'

function configured(postprocessing: Postprocessing, clock = new FakeClock()) {
  return MutableCacheConfiguration.initializedWith(
    DefaultInMemoryCacheConfiguration({ clock, updateAfter: 100, expireAfter: 10_000 }),
  ).setPostprocessing(postprocessing)
}

describe('postprocessing (py-memoize test_postprocessing)', () => {
  it('is applied to the value and its result returned to the caller', async () => {
    const postprocessing = { apply: jest.fn(() => 'overridden-by-postprocessing') }
    const get = memoize(async () => 'value-for-test', {
      configuration: configured(postprocessing as Postprocessing),
    })
    expect(await get()).toBe('overridden-by-postprocessing')
    expect(postprocessing.apply).toHaveBeenCalledTimes(1)
    expect(postprocessing.apply).toHaveBeenCalledWith('value-for-test')
  })

  it('based on deep copies, keeps the cached value safe from callers mutating their result', async () => {
    const get = memoize(async (arg: string) => ({ arg, list: [4, 5, 1, 2, 3] }), {
      configuration: configured(new DeepcopyPostprocessing()),
    })
    const first = await get('arg')
    first.list.sort()
    const second = await get('arg')
    expect(first.list).toEqual([1, 2, 3, 4, 5])
    expect(second.list).toEqual([4, 5, 1, 2, 3])
  })

  it('is not applied without DeepcopyPostprocessing: callers share the cached object', async () => {
    const get = memoize(async () => ({ list: [2, 1] }), {
      configuration: configured(NoPostprocessing()),
    })
    ;(await get()).list.sort()
    expect((await get()).list).toEqual([1, 2])
  })
})

describe('DeepcopyPostprocessing in the call algorithm', () => {
  it('gives each concurrent waiter its own copy', async () => {
    const apply = jest.fn(<T>(value: T) => deepCopy(value))
    const gate = deferred<{ n: number[] }>()
    const get = memoize(async () => gate.promise, {
      configuration: configured({ apply }),
    })
    const waiters = [get(), get(), get()]
    await flushPromises()
    gate.resolve({ n: [1] })
    const results = await Promise.all(waiters)
    expect(apply).toHaveBeenCalledTimes(3)
    expect(results[0]).not.toBe(results[1])
    expect(results[1]).not.toBe(results[2])
    results[0]!.n.push(2)
    expect(results[1]!.n).toEqual([1])
  })

  it('copies hits and stale values too', async () => {
    const clock = new FakeClock()
    let version = 0
    const get = memoize(async () => ({ version: ++version }), {
      configuration: configured(DeepcopyPostprocessing(), clock),
    })
    const first = await get()
    first.version = 99
    expect(await get()).toEqual({ version: 1 }) // hit
    clock.advance(200)
    const stale = await get()
    expect(stale).toEqual({ version: 1 }) // stale, refreshed in the background
    stale.version = 98
    await settle()
    expect(await get()).toEqual({ version: 2 })
  })
})

describe('deepCopy', () => {
  it('keeps class prototypes and copies own fields', () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
      norm(): number {
        return Math.hypot(this.x, this.y)
      }
    }
    const original = new Point(3, 4)
    const copy = deepCopy(original)
    expect(copy).not.toBe(original)
    expect(copy).toBeInstanceOf(Point)
    expect(copy.norm()).toBe(5)
    copy.x = 0
    expect(original.x).toBe(3)
  })

  it('copies Map, Set, Date, RegExp and boxed primitives by value', () => {
    const original = {
      map: new Map([['k', { v: 1 }]]),
      set: new Set([{ s: 1 }]),
      date: new Date(1000),
      re: /a+/gi,
      boxed: Object('text') as string,
    }
    original.re.lastIndex = 2
    const copy = deepCopy(original)
    expect(copy).toEqual(original)
    expect(copy.map).not.toBe(original.map)
    expect(copy.map.get('k')).not.toBe(original.map.get('k'))
    expect([...copy.set][0]).not.toBe([...original.set][0])
    expect(copy.date).not.toBe(original.date)
    copy.date.setTime(0)
    expect(original.date.getTime()).toBe(1000)
    expect(copy.re).not.toBe(original.re)
    expect(copy.re.flags).toBe('gi')
    expect(copy.re.lastIndex).toBe(2)
    expect(copy.boxed).not.toBe(original.boxed)
    expect(String(copy.boxed)).toBe('text')
  })

  it('copies typed arrays, Buffers, DataViews and ArrayBuffers into new memory', () => {
    const backing = new ArrayBuffer(16)
    const original = {
      floats: new Float64Array([1.5, -0, NaN]),
      bytes: new Uint8Array(backing, 4, 4),
      buffer: Buffer.from('abc'),
      view: new DataView(new ArrayBuffer(2)),
      raw: new ArrayBuffer(3),
    }
    original.bytes.set([1, 2, 3, 4])
    const copy = deepCopy(original)
    expect(copy.floats).toBeInstanceOf(Float64Array)
    expect(Object.is(copy.floats[1], -0)).toBe(true)
    expect(copy.floats[2]).toBeNaN()
    expect(copy.bytes).toEqual(new Uint8Array([1, 2, 3, 4]))
    expect(copy.bytes.buffer).not.toBe(backing)
    expect(Buffer.isBuffer(copy.buffer)).toBe(true)
    expect(copy.buffer.toString()).toBe('abc')
    expect(copy.view).toBeInstanceOf(DataView)
    expect(copy.raw).toBeInstanceOf(ArrayBuffer)
    expect(copy.raw).not.toBe(original.raw)
    copy.bytes[0] = 9
    copy.buffer[0] = 0x7a
    expect(original.bytes[0]).toBe(1)
    expect(original.buffer.toString()).toBe('abc')
  })

  it('keeps cycles and shared references', () => {
    const shared = { id: 1 }
    const original: Record<string, unknown> = { a: shared, b: shared, list: [shared] }
    original.self = original
    const copy = deepCopy(original)
    expect(copy.self).toBe(copy)
    expect(copy.a).toBe(copy.b)
    expect((copy.list as unknown[])[0]).toBe(copy.a)
    expect(copy.a).not.toBe(shared)
  })

  it('keeps holes, symbol keys, non-enumerable properties, null prototypes and frozenness', () => {
    const key = Symbol('k')
    const bare = Object.assign(Object.create(null) as object, { x: 1 })
    const hidden = {}
    Object.defineProperty(hidden, 'secret', { value: 's', enumerable: false })
    const original = Object.freeze({ holes: [1, , 3], [key]: { deep: true }, bare, hidden })
    const copy = deepCopy(original)
    expect(1 in copy.holes).toBe(false)
    expect(copy.holes).toHaveLength(3)
    expect(copy[key]).toEqual({ deep: true })
    expect(copy[key]).not.toBe(original[key])
    expect(Object.getPrototypeOf(copy.bare)).toBeNull()
    expect((copy.hidden as { secret?: string }).secret).toBe('s')
    expect(Object.isFrozen(copy)).toBe(true)
  })

  it('shares what cannot be copied: functions and promises', () => {
    const fn = (): number => 1
    const promise = Promise.resolve(1)
    const copy = deepCopy({ fn, promise })
    expect(copy.fn).toBe(fn)
    expect(copy.promise).toBe(promise)
  })
})
