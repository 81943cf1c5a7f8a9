import fc from 'fast-check'
import { canonicalJson } from '@memokit/lambda'

describe('canonicalJson', () => {
  it('sorts object keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    )
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }))
  })

  it('follows JSON.stringify for everything else', () => {
    const date = new Date(Date.UTC(2024, 0, 2))
    const cases: unknown[] = [
      null,
      true,
      0,
      -0,
      1.5,
      NaN,
      Infinity,
      'text "quoted" \u2028 \ud800',
      [undefined, () => 1, Symbol('s'), 1],
      { keep: 1, dropUndefined: undefined, dropFunction: () => 1 },
      date,
      { date },
      { toJSON: () => ({ b: 1, a: 2 }) },
      [new Number(3), new String('s'), new Boolean(false)],
      new Map([[1, 2]]),
      [],
      {},
    ]
    for (const value of cases)
      expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)))
    expect(canonicalJson({ toJSON: () => ({ b: 1, a: 2 }) })).toBe('{"a":2,"b":1}')
  })

  it('sends null for a top-level undefined', () => {
    expect(canonicalJson(undefined)).toBe('null')
  })

  it('raises a TypeError naming the place of a cycle or a BigInt', () => {
    const cyclic: Record<string, unknown> = { a: [1] }
    ;(cyclic.a as unknown[]).push(cyclic)
    expect(() => canonicalJson(cyclic)).toThrow(/cycle.*\(at \$\.a\[1\]\)/)
    expect(() => canonicalJson({ n: 1n })).toThrow(/BigInt.*\(at \$\.n\)/)
    const shared = { x: 1 }
    expect(canonicalJson([shared, shared])).toBe('[{"x":1},{"x":1}]') // shared, not cyclic
  })

  it('round-trips any JSON value, and ignores key insertion order', () => {
    const reversed = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversed)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(
              Object.keys(value)
                .reverse()
                .map((key) => [key, reversed((value as Record<string, unknown>)[key])]),
            )
          : value
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value)
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)))
        expect(canonicalJson(reversed(value))).toBe(text)
      }),
    )
  })

  it('orders keys by code unit, integer-like keys included', () => {
    expect(canonicalJson({ b: 1, 10: 1, '': 1, 2: 1, a: 1 })).toBe(
      '{"":1,"10":1,"2":1,"a":1,"b":1}',
    )
  })
})
