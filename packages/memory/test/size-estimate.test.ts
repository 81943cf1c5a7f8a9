import { SIZE_MODEL, estimateByteSize } from '@memokit/memory'

const S = SIZE_MODEL

describe('estimateByteSize', () => {
  it('measures strings by length and width, rounded to 8 bytes', () => {
    expect(estimateByteSize('')).toBe(16)
    expect(estimateByteSize('a')).toBe(24)
    expect(estimateByteSize('12345678')).toBe(24)
    expect(estimateByteSize('123456789')).toBe(32)
    // 13+ characters may sit behind a concatenation or slice header.
    expect(estimateByteSize('x'.repeat(100))).toBe(16 + 104 + S.stringIndirection)
    // Latin-1 stays one byte per character; anything above U+00FF takes two.
    expect(estimateByteSize('é'.repeat(100))).toBe(estimateByteSize('x'.repeat(100)))
    expect(estimateByteSize('€'.repeat(100))).toBe(16 + 200 + S.stringIndirection)
    expect(estimateByteSize('😀'.repeat(50))).toBe(16 + 200 + S.stringIndirection)
  })

  it('counts small integers as free and other numbers as boxed doubles', () => {
    expect(estimateByteSize(0)).toBe(0)
    expect(estimateByteSize(2 ** 31 - 1)).toBe(0)
    expect(estimateByteSize(-(2 ** 31))).toBe(0)
    expect(estimateByteSize(2 ** 31)).toBe(S.heapNumber)
    expect(estimateByteSize(0.5)).toBe(S.heapNumber)
    expect(estimateByteSize(-0)).toBe(S.heapNumber)
    expect(estimateByteSize(NaN)).toBe(S.heapNumber)
  })

  it('counts booleans, null and undefined as free (shared constants)', () => {
    for (const value of [true, false, null, undefined]) expect(estimateByteSize(value)).toBe(0)
  })

  it('measures BigInts by 64-bit digit', () => {
    expect(estimateByteSize(0n)).toBe(16)
    expect(estimateByteSize(1n)).toBe(24)
    expect(estimateByteSize(2n ** 64n - 1n)).toBe(24)
    expect(estimateByteSize(2n ** 64n)).toBe(32)
    expect(estimateByteSize(-(2n ** 64n))).toBe(32)
  })

  it('measures plain objects by property count, naming each property once', () => {
    expect(estimateByteSize({})).toBe(S.objectBase)
    const one = estimateByteSize({ a: 1 })
    expect(one).toBe(S.objectBase + S.objectProperty + 24)
    // The same names in a nested object are not counted again (V8 interns them).
    expect(estimateByteSize({ a: { a: 1 } })).toBe(one + S.objectBase + S.objectProperty)
    expect(estimateByteSize({ a: 'xyz' })).toBe(one + 24)
    expect(estimateByteSize({ a: 0.5 })).toBe(one + S.heapNumber)
  })

  it('assumes a hash-table layout for objects with many properties', () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]))
    const names = Object.keys(many).reduce((sum, key) => sum + estimateByteSize(key), 0)
    expect(estimateByteSize(many)).toBe(S.dictionaryBase + S.dictionarySlot * 32 + names)
  })

  it('measures arrays by length and their elements', () => {
    expect(estimateByteSize([])).toBe(S.arrayBase)
    expect(estimateByteSize([1, 2, 3])).toBe(S.arrayBase + 3 * S.arrayElement)
    expect(estimateByteSize([0.5, 1.5])).toBe(S.arrayBase + 2 * (S.arrayElement + S.heapNumber))
    expect(estimateByteSize(['abc', null])).toBe(S.arrayBase + 2 * S.arrayElement + 24)
    // A hole costs its slot.
    expect(estimateByteSize(new Array(3))).toBe(S.arrayBase + 3 * S.arrayElement)
  })

  it('measures Map and Set by hash-table capacity and their contents', () => {
    expect(estimateByteSize(new Map())).toBe(S.mapBase + 4 * S.mapSlot)
    const map = new Map<unknown, unknown>(Array.from({ length: 5 }, (_, i) => [i, i]))
    expect(estimateByteSize(map)).toBe(S.mapBase + 8 * S.mapSlot)
    expect(estimateByteSize(new Map([['abc', 'def']]))).toBe(S.mapBase + 4 * S.mapSlot + 48)
    expect(estimateByteSize(new Set())).toBe(S.setBase + 4 * S.setSlot)
    expect(estimateByteSize(new Set([0.5]))).toBe(S.setBase + 4 * S.setSlot + S.heapNumber)
  })

  it('measures dates, regular expressions, errors and functions with fixed costs', () => {
    expect(estimateByteSize(new Date())).toBe(S.date)
    expect(estimateByteSize(/abc/g)).toBe(S.regexp + 24)
    expect(estimateByteSize(new Error('boom'))).toBe(S.error + 24)
    expect(estimateByteSize(() => 1)).toBe(S.function)
  })

  it('measures Buffers, typed arrays, DataViews and ArrayBuffers by the bytes they view', () => {
    const view = S.arrayBufferView + S.arrayBuffer
    expect(estimateByteSize(Buffer.alloc(1000))).toBe(view + 1000)
    expect(estimateByteSize(new Uint8Array(16))).toBe(view + 16)
    expect(estimateByteSize(new Float64Array(100))).toBe(view + 800)
    expect(estimateByteSize(new DataView(new ArrayBuffer(64)))).toBe(view + 64)
    expect(estimateByteSize(new ArrayBuffer(1000))).toBe(S.arrayBuffer + 1000)
    // A small pooled Buffer counts its own bytes, not the 8 KiB pool it lives in.
    expect(estimateByteSize(Buffer.from('hello'))).toBe(view + 5)
    // Two views of one ArrayBuffer count the buffer object once.
    const buffer = new ArrayBuffer(32)
    expect(estimateByteSize([new Uint8Array(buffer, 0, 16), new Uint8Array(buffer, 16)])).toBe(
      S.arrayBase + 2 * S.arrayElement + 2 * S.arrayBufferView + S.arrayBuffer + 32,
    )
  })

  it('counts an object reachable twice once (shared references)', () => {
    const shared = { payload: 'x'.repeat(10_000) }
    const once = estimateByteSize([shared])
    const twice = estimateByteSize([shared, shared])
    expect(twice - once).toBe(S.arrayElement)
  })

  it('terminates on cycles', () => {
    const node: { self?: unknown; list: unknown[] } = { list: [] }
    node.self = node
    node.list.push(node, node.list)
    const map = new Map<unknown, unknown>()
    map.set(map, map)
    expect(estimateByteSize(node)).toBeGreaterThan(0)
    expect(estimateByteSize(map)).toBe(S.mapBase + 4 * S.mapSlot)
  })

  it('follows very deep nesting without recursion', () => {
    let chain: unknown = null
    for (let i = 0; i < 200_000; i++) chain = { next: chain }
    expect(estimateByteSize(chain)).toBe(
      200_000 * (S.objectBase + S.objectProperty) + estimateByteSize('next'),
    )
  })

  it('grows with nesting depth and breadth', () => {
    const small = estimateByteSize({ a: [1, 2, 3] })
    const larger = estimateByteSize({ a: [1, 2, 3], b: { c: [1, 2, 3], d: new Map([[1, 'x']]) } })
    expect(larger).toBeGreaterThan(small)
  })

  it('stops early once a limit is exceeded, returning more than the limit', () => {
    const huge = Array.from({ length: 100_000 }, (_, i) => ({ i, text: `value ${i}` }))
    const full = estimateByteSize(huge)
    const capped = estimateByteSize(huge, 10_000)
    expect(capped).toBeGreaterThan(10_000)
    expect(capped).toBeLessThan(full / 10)
    // A huge sparse array is not walked when its slots alone exceed the limit.
    expect(estimateByteSize(new Array(2 ** 31), 1_000_000)).toBeGreaterThan(1_000_000)
  })

  it('counts class instances by their own enumerable properties', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      norm(): number {
        return Math.hypot(this.x, this.y)
      }
    }
    expect(estimateByteSize(new Point(1, 2))).toBe(estimateByteSize({ x: 1, y: 2 }))
  })

  it('does not traverse proxies, promises or weak collections, and survives throwing getters', () => {
    const trap = jest.fn(() => {
      throw new Error('trap')
    })
    const proxy = new Proxy({}, { get: trap, ownKeys: trap, getPrototypeOf: trap })
    expect(estimateByteSize(proxy)).toBe(S.opaque)
    expect(trap).not.toHaveBeenCalled()
    expect(estimateByteSize(Promise.resolve('x'.repeat(1000)))).toBe(S.opaque)
    expect(estimateByteSize(new WeakMap())).toBe(S.opaque)
    const getter = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get: () => {
        throw new Error('getter')
      },
    })
    expect(estimateByteSize(getter)).toBe(S.objectBase + S.objectProperty + 24)
  })

  it('survives user code that throws while a value is walked', () => {
    class Hostile extends Map<string, string> {
      override [Symbol.iterator](): MapIterator<[string, string]> {
        throw new Error('no iteration')
      }
    }
    const hostile = new Hostile([['a', 'b']])
    expect(estimateByteSize({ hostile, fine: 'x' })).toBeGreaterThan(S.opaque)
  })

  it('measures boxed primitives by their primitive', () => {
    expect(estimateByteSize(new String('abc'))).toBe(S.objectBase + 24)
  })
})
