/* eslint-disable no-sparse-arrays */
import { cacheKey } from '@memokit/core'

/**
 * The inputs of the golden key file: a few hundred representative argument lists, built the
 * same way on every run (no randomness but a fixed-seed generator written here, so no library
 * upgrade can change them). Each has a stable id; never reuse or renumber ids.
 */
export interface GoldenInput {
  readonly id: string
  readonly args: () => unknown[]
}

/** A class whose instances declare their key (`[cacheKey]()`). */
class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  [cacheKey](): unknown {
    return [this.x, this.y]
  }
}
class Tenant {
  constructor(readonly id: string) {}
  [cacheKey](): unknown {
    return { tenant: this.id }
  }
}

const MB = 1024 * 1024

/** mulberry32: a tiny seeded generator, fixed here so the golden inputs never change. */
function generator(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ALPHABET = [
  'a',
  'b',
  'z',
  '0',
  ':',
  ',',
  '"',
  '\\',
  ' ',
  'é',
  '\u0301',
  '😀',
  '\uD800',
  '\u0000',
  '[',
  '*',
]

function randomValue(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * (depth >= 3 ? 9 : 14))
  const int = (n: number): number => Math.floor(random() * n)
  const text = (): string =>
    Array.from({ length: int(6) }, () => ALPHABET[int(ALPHABET.length)]).join('')
  switch (pick) {
    case 0:
      return undefined
    case 1:
      return null
    case 2:
      return random() < 0.5
    case 3:
      return int(2001) - 1000
    case 4:
      return [0.5, -0, 1e21, -1e-7, NaN, Infinity, 3.14159, -2.5e-300][int(8)]
    case 5:
      return BigInt(int(1_000_000)) * (random() < 0.5 ? -1n : 1n) * 10n ** BigInt(int(30))
    case 6:
      return text()
    case 7:
      return new Date(
        Date.UTC(1990 + int(60), int(12), 1 + int(28), int(24), int(60), int(60), int(1000)),
      )
    case 8:
      return Buffer.from(Array.from({ length: int(6) }, () => int(256)))
    case 9: {
      const length = int(4)
      const array: unknown[] = new Array<unknown>(length)
      for (let i = 0; i < length; i++)
        if (random() < 0.85) array[i] = randomValue(random, depth + 1)
      return array
    }
    case 10: {
      const object = (random() < 0.2 ? Object.create(null) : {}) as Record<string, unknown>
      for (let i = int(4); i > 0; i--) object[text()] = randomValue(random, depth + 1)
      return object
    }
    case 11:
      return new Map(
        Array.from({ length: int(3) }, () => [
          randomValue(random, depth + 1),
          randomValue(random, depth + 1),
        ]),
      )
    case 12:
      return new Set(Array.from({ length: int(3) }, () => randomValue(random, depth + 1)))
    default:
      return new Point(int(100), int(100))
  }
}

function deep(levels: number): unknown {
  let value: unknown = 'bottom'
  for (let i = 0; i < levels; i++) value = [value]
  return value
}

/** Argument lists that must be rejected (KeyDerivationError), recorded as such. */
export const REJECTED_INPUTS: readonly GoldenInput[] = [
  { id: 'rejected/function', args: () => [() => 1] },
  { id: 'rejected/symbol', args: () => [Symbol('s')] },
  { id: 'rejected/symbol-key', args: () => [{ [Symbol('k')]: 1 }] },
  {
    id: 'rejected/cycle',
    args: () => {
      const a: Record<string, unknown> = {}
      a.self = a
      return [a]
    },
  },
  { id: 'rejected/class-instance', args: () => [new (class Plain {})()] },
  { id: 'rejected/error', args: () => [new Error('x')] },
  { id: 'rejected/promise', args: () => [Promise.resolve(1)] },
  { id: 'rejected/weakmap', args: () => [new WeakMap()] },
  { id: 'rejected/depth-65', args: () => [deep(65)] },
  { id: 'rejected/10001-nodes', args: () => [Array.from({ length: 10_001 }, () => 0)] },
]

/** Every golden input, in file order. */
export function goldenInputs(): GoldenInput[] {
  const inputs: GoldenInput[] = []
  const add = (id: string, args: () => unknown[]): void => {
    inputs.push({ id, args })
  }

  // §6 of the reliability notes: the pairs that must differ (and a few that must be equal).
  add('table/no-argument', () => [])
  add('table/undefined', () => [undefined])
  add('table/null', () => [null])
  add('table/"undefined"', () => ['undefined'])
  add('table/"null"', () => ['null'])
  add('table/empty-array', () => [[]])
  add('table/[undefined]', () => [[undefined]])
  add('table/[null]', () => [[null]])
  add('table/[hole]', () => [[,]])
  add('table/{a: undefined}', () => [{ a: undefined }])
  add('table/{}', () => [{}])
  add('table/1', () => [1])
  add('table/"1"', () => ['1'])
  add('table/1n', () => [1n])
  add('table/true', () => [true])
  add('table/"true"', () => ['true'])
  add('table/false', () => [false])
  add('table/0', () => [0])
  add('table/-0', () => [-0])
  add('table/"0"', () => ['0'])
  add('table/NaN', () => [NaN])
  add('table/Infinity', () => [Infinity])
  add('table/-Infinity', () => [-Infinity])
  add('table/MAX_SAFE_INTEGER+1', () => [Number.MAX_SAFE_INTEGER + 1])
  add('table/2n**53n+1n', () => [2n ** 53n + 1n])
  add('table/""', () => [''])
  add('table/[""]', () => [['']])
  add('table/[[]]', () => [[[]]])
  add('table/{b:1,a:2}', () => [{ b: 1, a: 2 }])
  add('table/{a:1,A:2}', () => [{ a: 1, A: 2 }])
  add('table/"a:b","c"', () => ['a:b', 'c'])
  add('table/"a","b:c"', () => ['a', 'b:c'])
  add('table/"a~b"', () => ['a~b'])
  add('table/"a\\u0000b"', () => ['a\u0000b'])
  add('table/"a\\\\:b"', () => ['a\\:b'])
  add('table/lone-surrogate', () => ['\uD800'])
  add('table/replacement-char', () => ['\uFFFD'])
  add('table/é-precomposed', () => ['\u00e9'])
  add('table/é-combining', () => ['e\u0301'])
  add('table/1MiB-string', () => ['a'.repeat(MB)])
  for (const glob of ['*', '?', '[', ']', '\\', 'a*b?[c]'])
    add(`table/glob-${JSON.stringify(glob)}`, () => [glob])
  add('table/new Date(0)', () => [new Date(0)])
  add('table/"1970-01-01T00:00:00.000Z"', () => ['1970-01-01T00:00:00.000Z'])
  add('table/invalid-date', () => [new Date(NaN)])
  add('table/Buffer "ab"', () => [Buffer.from('ab')])
  add('table/Uint8Array [97,98]', () => [new Uint8Array([97, 98])])
  add('table/{type:"Buffer",data:[97,98]}', () => [{ type: 'Buffer', data: [97, 98] }])
  add('table/"ab"', () => ['ab'])
  add('table/Map [[1,2]]', () => [new Map([[1, 2]])])
  add('table/Set [1]', () => [new Set([1])])
  add('table/[[1,2]]', () => [[[1, 2]]])
  add('table/Point(1,2)', () => [new Point(1, 2)])
  add('table/[1,2]', () => [[1, 2]])
  add('table/Tenant("a")', () => [new Tenant('a')])
  add('table/{tenant:"a"}', () => [{ tenant: 'a' }])
  add('table/null-prototype {a:1}', () => [Object.assign(Object.create(null) as object, { a: 1 })])
  add('table/{a:1}', () => [{ a: 1 }])
  add('table/JSON __proto__', () => [JSON.parse('{"__proto__": {"x": 1}}')])
  add('table/{constructor:{prototype:{x:1}}}', () => [{ constructor: { prototype: { x: 1 } } }])

  // Every binary type, by value.
  const bytes = [0, 1, 127, 128, 255, 7, 42, 200]
  add('binary/Buffer', () => [Buffer.from(bytes)])
  add('binary/Uint8Array', () => [new Uint8Array(bytes)])
  add('binary/Uint8ClampedArray', () => [new Uint8ClampedArray(bytes)])
  add('binary/Int8Array', () => [new Int8Array(bytes)])
  add('binary/Uint16Array', () => [new Uint16Array(new Uint8Array(bytes).buffer)])
  add('binary/Int16Array', () => [new Int16Array(new Uint8Array(bytes).buffer)])
  add('binary/Uint32Array', () => [new Uint32Array(new Uint8Array(bytes).buffer)])
  add('binary/Int32Array', () => [new Int32Array(new Uint8Array(bytes).buffer)])
  add('binary/Float32Array', () => [new Float32Array([1.5, -0])])
  add('binary/Float64Array', () => [new Float64Array([Math.PI])])
  add('binary/BigInt64Array', () => [new BigInt64Array([-1n])])
  add('binary/BigUint64Array', () => [new BigUint64Array([2n ** 64n - 1n])])
  add('binary/DataView', () => [new DataView(new Uint8Array(bytes).buffer)])
  add('binary/ArrayBuffer', () => [new Uint8Array(bytes).buffer])
  add('binary/subarray', () => [new Uint8Array(bytes).subarray(2, 5)])
  add('binary/empty Buffer', () => [Buffer.alloc(0)])

  // Other types encoded by value.
  add('types/Date epoch ms 1', () => [new Date(1)])
  add('types/Date 2024', () => [new Date(Date.UTC(2024, 1, 29, 12, 30, 15, 250))])
  add('types/Date negative', () => [new Date(-62_135_596_800_000)])
  add('types/Map nested', () => [
    new Map<unknown, unknown>([
      ['a', new Map([[1n, [null]]])],
      [-0, new Set([NaN])],
    ]),
  ])
  add('types/Map object keys', () => [
    new Map([
      [{ k: 1 }, 'v'],
      [[1], 'w'],
    ]),
  ])
  add('types/Set mixed', () => [new Set<unknown>([1, '1', 1n, true, null, undefined, [1]])])
  add('types/empty Map', () => [new Map()])
  add('types/empty Set', () => [new Set()])
  add('types/RegExp', () => [/^a+(b|c)*$/gimsu])
  add('types/URL', () => [new URL('https://example.com/a?b=c#d')])
  add('types/boxed number', () => [Object(1)])
  add('types/boxed string', () => [Object('s')])
  add('types/boxed boolean', () => [Object(false)])
  add('types/boxed bigint', () => [Object(5n)])
  add('types/Point in array', () => [[new Point(0, 0), new Point(-0, 1)]])
  add('types/null-prototype nested', () => [
    { a: Object.assign(Object.create(null) as object, { b: [] }) },
  ])
  add('types/sparse array', () => [[1, , 3, , , 6]])
  add('types/array of undefined', () => [[undefined, undefined]])
  add('types/array of holes', () => [new Array(3)])
  add('types/-0 nested', () => [{ z: [-0, 0] }])
  add('types/depth 64', () => [deep(63)])
  add('types/10000 nodes', () => [Array.from({ length: 9_998 }, (_, i) => i % 7)])

  // Numbers and bigints.
  const numbers = [
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.EPSILON,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    2 ** 53,
    2 ** 53 + 2,
    1e21,
    1e-7,
    1e-6,
    123456789012345680000,
    0.1 + 0.2,
    0.3,
    1 / 3,
    -1 / 3,
    5e-324,
    1.7976931348623157e308,
    42,
    -42,
    3.5,
    -3.5,
    100,
    1e100,
    2 ** 31,
    2 ** 32,
    -(2 ** 31),
    0.000001,
    123e-20,
  ]
  numbers.forEach((n, i) => add(`number/${i}:${String(n)}`, () => [n]))
  const bigints = [0n, -1n, 2n ** 64n, -(2n ** 100n), 10n ** 30n, 123456789n, -0n, 2n ** 53n]
  bigints.forEach((n, i) => add(`bigint/${i}:${String(n)}`, () => [n]))

  // Strings: escapes, unicode, and the lengths around the name extractor's hashing limit.
  const strings = [
    'plain',
    'with space',
    'tab\there',
    'line\nbreak',
    'cr\rlf',
    'quote"',
    "apostrophe'",
    'back\\slash',
    '\u0007bell',
    '\u001f',
    '\u007f',
    '\u0080',
    '\u00a0nbsp',
    '\u200b zero width',
    '\u200e\u200f marks',
    'שלום RTL',
    'مرحبا',
    '日本語',
    '한국어',
    '😀 emoji',
    '👍🏽 skin tone',
    '👨‍👩‍👧 family',
    '\uDBFF\uDFFF',
    '\uDC00 lone low',
    '\uD800\uD800',
    '\uFEFF BOM',
    '\u2028 line sep',
    '\u2029 para sep',
    'Ǆ title case',
    'ß',
    'İ dotted',
    'ı dotless',
    'ﬁ ligature',
    'Ω ohm',
    'Ω omega',
    'A\u030a',
    '\u00c5',
    '{}',
    '[]',
    'null',
    '1e3',
    '-0',
    'NaN',
    '__proto__',
    'constructor',
    'toString',
    '%7B',
    '\u0000',
  ]
  strings.forEach((s, i) => add(`string/${i}`, () => [s]))
  for (const length of [230, 235, 236, 237, 238, 239, 240, 241, 245, 250, 251])
    add(`string/length-${length}`, () => ['x'.repeat(length)])
  add('string/ascii', () => [String.fromCharCode(...Array.from({ length: 95 }, (_, i) => i + 32))])

  // Several arguments and objects with many keys.
  add('args/three', () => [1, 'two', [3]])
  add('args/trailing undefined', () => [1, undefined])
  add('args/leading undefined', () => [undefined, 1])
  add('args/ten', () => Array.from({ length: 10 }, (_, i) => i))
  add('args/object many keys', () => [
    Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i])),
  ])
  add('args/object numeric keys', () => [{ 10: 'a', 2: 'b', 1: 'c', '-1': 'd', '01': 'e' }])
  add('args/object unicode keys', () => [{ é: 1, e: 2, É: 3, '😀': 4, '\uD800': 5 }])
  add('args/search query', () => [
    { q: 'shoes', filters: { size: [42, 43], color: 'red' }, page: 2, sort: undefined },
  ])
  add('args/tenant and id', () => [new Tenant('acme'), 42])

  // Generated values: 120 argument lists from a fixed seed.
  const random = generator(0x6d656d6f)
  const generated: unknown[][] = []
  for (let i = 0; i < 120; i++)
    generated.push(
      Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomValue(random, 0)),
    )
  generated.forEach((args, i) => add(`generated/${i}`, () => args))

  return inputs
}
