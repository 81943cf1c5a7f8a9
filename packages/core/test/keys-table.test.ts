// The argument pairs of reliability.md §6 "Bad inputs to try / Arguments" (test plan B1):
// within each group every key differs, and the pairs marked equal share a key. Checked for
// encodeArguments and both key extractors.
/* eslint-disable no-sparse-arrays */
import {
  EncodedMethodNameAndArgsKeyExtractor,
  EncodedMethodReferenceAndArgsKeyExtractor,
  MethodReference,
  cacheKey,
  encodeArguments,
} from '@memokit/core'

/** One call's argument list, with a readable label. */
type Call = [label: string, args: unknown[]]

class P {
  constructor(readonly x: number) {}
  [cacheKey](): unknown {
    return { x: this.x }
  }
}
class Q {
  constructor(readonly x: number) {}
  [cacheKey](): unknown {
    return { x: this.x }
  }
}

const MB = 1024 * 1024

const mustDiffer: Record<string, Call[]> = {
  'undefined, null, their names, no argument and an empty array': [
    ['undefined', [undefined]],
    ['null', [null]],
    ['"undefined"', ['undefined']],
    ['"null"', ['null']],
    ['no argument', []],
    ['[]', [[]]],
  ],
  'array slots and missing properties': [
    ['[undefined]', [[undefined]]],
    ['[null]', [[null]]],
    ['[,] (a hole)', [[,]]],
    ['[]', [[]]],
    ['{a: undefined}', [{ a: undefined }]],
    ['{}', [{}]],
  ],
  'numbers, strings, bigints and booleans': [
    ['1', [1]],
    ['"1"', ['1']],
    ['1n', [1n]],
    ['true', [true]],
    ['"true"', ['true']],
  ],
  'zeros and special numbers': [
    ['0', [0]],
    ['-0', [-0]],
    ['"0"', ['0']],
    ['NaN', [NaN]],
    ['null', [null]],
    ['Infinity', [Infinity]],
    ['-Infinity', [-Infinity]],
  ],
  'unsafe integers as BigInt': [
    ['2n ** 53n', [2n ** 53n]],
    ['2n ** 53n + 1n', [2n ** 53n + 1n]],
  ],
  'empty things': [
    ['""', ['']],
    ['[]', [[]]],
    ['{}', [{}]],
    ['[""]', [['']]],
    ['[[]]', [[[]]]],
  ],
  'delimiter and escape games': [
    ['"a:b", "c"', ['a:b', 'c']],
    ['"a", "b:c"', ['a', 'b:c']],
    ['"a,b"', ['a,b']],
    ['"a", "b"', ['a', 'b']],
    ['"a~b"', ['a~b']],
    ['"a\\u0000b"', ['a\u0000b']],
    ['"a\\\\:b"', ['a\\:b']],
    ['"a:b"', ['a:b']],
    ['["a", "b"]', [['a', 'b']]],
    ['"[\\"a\\",\\"b\\"]"', ['["a","b"]']],
    ['{"a": "b"}', [{ a: 'b' }]],
    ['{"a,b": 1}', [{ 'a,b': 1 }]],
    ['{"a": 1, "b": 1}', [{ a: 1, b: 1 }]],
  ],
  unicode: [
    ['"\\uD800" (lone surrogate)', ['\uD800']],
    ['"\\uFFFD"', ['\uFFFD']],
    ['"é" (U+00E9)', ['\u00e9']],
    ['"e\\u0301" (combining accent)', ['e\u0301']],
  ],
  'Redis glob characters': [
    ['"*"', ['*']],
    ['"?"', ['?']],
    ['"["', ['[']],
    ['"]"', [']']],
    ['"\\\\"', ['\\']],
    ['"a*"', ['a*']],
  ],
  'very long strings': [
    ['1 MiB of "a"', ['a'.repeat(MB - 2)]],
    ['1 MiB of "a" ending in "b"', ['a'.repeat(MB - 3) + 'b']],
  ],
  dates: [
    ['new Date(0)', [new Date(0)]],
    ['"1970-01-01T00:00:00.000Z"', ['1970-01-01T00:00:00.000Z']],
    ['0', [0]],
    ['new Date(NaN)', [new Date(NaN)]],
    ['NaN', [NaN]],
  ],
  'binary data': [
    ['Buffer.from("ab")', [Buffer.from('ab')]],
    ['new Uint8Array([97, 98])', [new Uint8Array([97, 98])]],
    ['{type: "Buffer", data: [97, 98]}', [{ type: 'Buffer', data: [97, 98] }]],
    ['"ab"', ['ab']],
    ['new Int8Array([97, 98])', [new Int8Array([97, 98])]],
    ['new Uint16Array([25185])', [new Uint16Array([25185])]],
  ],
  collections: [
    ['new Map([[1, 2]])', [new Map([[1, 2]])]],
    ['new Set([1])', [new Set([1])]],
    ['{}', [{}]],
    ['[[1, 2]]', [[[1, 2]]]],
    ['new Map([[2, 1]])', [new Map([[2, 1]])]],
    ['new Set([1, 2])', [new Set([1, 2])]],
    ['new Set(["1"])', [new Set(['1'])]],
  ],
  'class instances with [cacheKey]()': [
    ['new P(1)', [new P(1)]],
    ['new Q(1)', [new Q(1)]],
    ['{x: 1}', [{ x: 1 }]],
    ['new P(2)', [new P(2)]],
  ],
  'boxed primitives and regular expressions': [
    ['new String("a")', [Object('a')]],
    ['"a"', ['a']],
    ['new Number(1)', [Object(1)]],
    ['1', [1]],
    ['/a/', [/a/]],
    ['/a/i', [/a/i]],
    ['"/a/"', ['/a/']],
  ],
  'prototype-looking keys': [
    ['JSON.parse(\'{"__proto__": {"x": 1}}\')', [JSON.parse('{"__proto__": {"x": 1}}')]],
    ['{}', [{}]],
    ['{x: 1}', [{ x: 1 }]],
    ['{constructor: {prototype: {x: 1}}}', [{ constructor: { prototype: { x: 1 } } }]],
  ],
}

const mustBeEqual: Array<[string, unknown[], unknown[]]> = [
  ['{b: 1, a: 2} and {a: 2, b: 1}', [{ b: 1, a: 2 }], [{ a: 2, b: 1 }]],
  ['{a: 1, A: 2} and {A: 2, a: 1}', [{ a: 1, A: 2 }], [{ A: 2, a: 1 }]],
  ['1 and 1.0', [1], [1.0]],
  [
    'Number.MAX_SAFE_INTEGER + 1 and + 2 (the same double)',
    [Number.MAX_SAFE_INTEGER + 1],
    [Number.MAX_SAFE_INTEGER + 2],
  ],
  [
    'two Maps in different orders',
    [
      new Map([
        [1, 'a'],
        [2, 'b'],
      ]),
    ],
    [
      new Map([
        [2, 'b'],
        [1, 'a'],
      ]),
    ],
  ],
  ['two Sets in different orders', [new Set(['x', 'y'])], [new Set(['y', 'x'])]],
  ['two Dates of the same instant', [new Date(5)], [new Date(5)]],
  ['two invalid Dates', [new Date(NaN)], [new Date('not a date')]],
  ['two Buffers with the same bytes', [Buffer.from('ab')], [Buffer.from([97, 98])]],
  ['two instances with the same [cacheKey]()', [new P(1)], [new P(1)]],
  [
    'a null-prototype object and a plain one',
    [Object.assign(Object.create(null), { a: 1 })],
    [{ a: 1 }],
  ],
  ['NaN and NaN', [NaN], [NaN]],
]

const method = new MethodReference('f', { className: 'C' })
const referenceExtractor = new EncodedMethodReferenceAndArgsKeyExtractor()
const nameExtractor = new EncodedMethodNameAndArgsKeyExtractor()

describe.each<[string, (args: unknown[]) => string]>([
  ['encodeArguments', (args) => encodeArguments(args)],
  [
    'EncodedMethodReferenceAndArgsKeyExtractor',
    (args) => referenceExtractor.formatKey(method, args),
  ],
  ['EncodedMethodNameAndArgsKeyExtractor', (args) => nameExtractor.formatKey(method, args)],
])('%s', (_name, key) => {
  it.each(Object.entries(mustDiffer))(
    'gives different keys within the group: %s',
    (_group, calls) => {
      const seen = new Map<string, string>()
      const collisions: string[] = []
      for (const [label, args] of calls) {
        const k = key(args)
        const other = seen.get(k)
        if (other !== undefined) collisions.push(`${other} = ${label}`)
        seen.set(k, label)
      }
      expect(collisions).toEqual([])
    },
  )

  it.each(mustBeEqual)('gives equal keys to %s', (_label, a, b) => {
    expect(key(a)).toBe(key(b))
  })
})
