// py-memoize tests/unit/test_serde.py (EncodingSerDe) and the intent of its uncollected
// JsonSerDeTests, plus SuperJsonSerDe round trips and hostile input to every SerDe.
import {
  EncodingSerDe,
  InvalidConfigurationError,
  JsonSerDe,
  SerDeError,
  SuperJsonSerDe,
  cacheEntry,
  type BinaryEncoding,
  type CacheEntry,
  type SerDe,
} from '@memokit/core'
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib'

const entry = cacheEntry(1_700_000_000_000, 1_700_000_600_000, 1_700_001_800_000, 'in')

function text(data: Uint8Array | string): string {
  return typeof data === 'string' ? data : Buffer.from(data).toString('utf8')
}

describe('EncodingSerDe (py-memoize test_serde)', () => {
  it('encodes what the wrapped serde produced', () => {
    const inner: jest.Mocked<SerDe> = {
      serialize: jest.fn((_entry: CacheEntry): Uint8Array | string => Buffer.from('in')),
      deserialize: jest.fn(),
    }
    const serde = new EncodingSerDe(inner, 'base64')
    expect(serde.serialize(entry)).toBe(Buffer.from('in').toString('base64'))
    expect(inner.serialize).toHaveBeenCalledTimes(1)
    expect(inner.serialize).toHaveBeenCalledWith(entry)
  })

  it('decodes before handing the data to the wrapped serde, and returns its result', () => {
    const inner: jest.Mocked<SerDe> = {
      serialize: jest.fn(),
      deserialize: jest.fn((_data: Uint8Array | string): CacheEntry => entry),
    }
    const serde = EncodingSerDe(inner, 'base64')
    expect(serde.deserialize(Buffer.from('y').toString('base64'))).toBe(entry)
    expect(inner.deserialize).toHaveBeenCalledTimes(1)
    expect(Buffer.from(inner.deserialize.mock.calls[0]![0] as Uint8Array).toString()).toBe('y')
  })

  it('round-trips an entry with a real serde inside', () => {
    const serde = new EncodingSerDe(new SuperJsonSerDe(), 'base64')
    expect(serde.deserialize(serde.serialize(entry))).toEqual(entry)
  })
})

describe('JsonSerDe (intent of py-memoize JsonSerDeTests)', () => {
  it('writes the instants and the value as a JSON object', () => {
    const serialized = new JsonSerDe().serialize(cacheEntry(1, 2, 3, 'in'))
    expect(JSON.parse(text(serialized))).toEqual({
      created: 1,
      updateAfter: 2,
      expiresAfter: 3,
      value: 'in',
    })
  })

  it('reads that JSON back into an equal entry', () => {
    const serde = JsonSerDe()
    const json = '{"created":1,"updateAfter":2,"expiresAfter":3,"value":"in"}'
    expect(serde.deserialize(json)).toEqual(cacheEntry(1, 2, 3, 'in'))
    expect(serde.deserialize(Buffer.from(json))).toEqual(cacheEntry(1, 2, 3, 'in'))
  })

  it('applies the value transform on serialize and its inverse on deserialize, once each', () => {
    const valueToReversibleRepr = jest.fn((value: unknown) => ({ wrapped: value }))
    const reversibleReprToValue = jest.fn((repr: unknown) => (repr as { wrapped: unknown }).wrapped)
    const serde = new JsonSerDe({ valueToReversibleRepr, reversibleReprToValue })
    const serialized = serde.serialize(cacheEntry(1, 2, 3, 'in'))
    expect(valueToReversibleRepr).toHaveBeenCalledTimes(1)
    expect(valueToReversibleRepr).toHaveBeenCalledWith('in')
    expect(JSON.parse(text(serialized)).value).toEqual({ wrapped: 'in' })
    expect(serde.deserialize(serialized)).toEqual(cacheEntry(1, 2, 3, 'in'))
    expect(reversibleReprToValue).toHaveBeenCalledTimes(1)
    expect(reversibleReprToValue).toHaveBeenCalledWith({ wrapped: 'in' })
  })

  it('raises SerDeError when a value transform fails, either way', () => {
    const failing = new JsonSerDe({
      valueToReversibleRepr: () => {
        throw new Error('cannot represent')
      },
      reversibleReprToValue: () => {
        throw new Error('cannot restore')
      },
    })
    expect(() => failing.serialize(cacheEntry(1, 2, 3, 'in'))).toThrow(SerDeError)
    const json = '{"created":1,"updateAfter":2,"expiresAfter":3,"value":"in"}'
    expect(() => failing.deserialize(json)).toThrow(SerDeError)
  })

  it('raises SerDeError for a value JSON cannot hold', () => {
    expect(() => new JsonSerDe().serialize(cacheEntry(1, 2, 3, 10n))).toThrow(SerDeError)
  })
})

describe('SuperJsonSerDe', () => {
  it('round-trips Date, Map, Set, BigInt, undefined and nested values', () => {
    const value = {
      when: new Date(Date.UTC(2024, 1, 29)),
      map: new Map<unknown, unknown>([
        ['a', 1],
        [2, new Set([new Date(0)])],
      ]),
      set: new Set(['x', 'y']),
      big: 2n ** 70n,
      missing: undefined,
      list: [undefined, null, -0, NaN, Infinity],
    }
    const serde = new SuperJsonSerDe()
    const back = serde.deserialize(serde.serialize(cacheEntry(1, 2, 3, value)))
    expect(back).toEqual(cacheEntry(1, 2, 3, value))
    const v = back.value as typeof value
    expect(v.when).toBeInstanceOf(Date)
    expect(v.map).toBeInstanceOf(Map)
    expect(v.set).toBeInstanceOf(Set)
    expect(typeof v.big).toBe('bigint')
    expect('missing' in v).toBe(true)
    expect(Object.is(v.list[2], -0)).toBe(true)
  })

  it('round-trips an entry whose value is undefined', () => {
    const serde = SuperJsonSerDe()
    const back = serde.deserialize(serde.serialize(cacheEntry(1, 2, 3, undefined)))
    expect(back).toEqual(cacheEntry(1, 2, 3, undefined))
    expect('value' in back).toBe(true)
  })

  it('restores registered classes, per SerDe instance', () => {
    class Money {
      constructor(
        readonly amount: number,
        readonly currency: string,
      ) {}
    }
    const registered = new SuperJsonSerDe()
    registered.superjson.registerClass(Money, { identifier: 'Money' })
    const back = registered.deserialize(
      registered.serialize(cacheEntry(1, 2, 3, new Money(5, 'EUR'))),
    )
    expect(back.value).toBeInstanceOf(Money)
    expect(back.value).toEqual(new Money(5, 'EUR'))
    const plain = new SuperJsonSerDe()
    expect(
      plain.deserialize(plain.serialize(cacheEntry(1, 2, 3, new Money(5, 'EUR')))).value,
    ).not.toBeInstanceOf(Money)
  })
})

const encodings: BinaryEncoding[] = ['gzip', 'deflate', 'brotli', 'base64']
const inners: Array<[string, () => SerDe]> = [
  ['JsonSerDe', () => new JsonSerDe()],
  ['SuperJsonSerDe', () => new SuperJsonSerDe()],
]

describe.each(encodings)('EncodingSerDe with %s', (encoding) => {
  it.each(inners)('round-trips entries of %s', (_name, inner) => {
    const serde = new EncodingSerDe(inner(), encoding)
    for (const value of [
      '',
      'ünïcødé ✓ 🚀',
      { nested: [1, { deep: true }] },
      'x'.repeat(100_000),
    ]) {
      const e = cacheEntry(1, 2, 3, value)
      expect(serde.deserialize(serde.serialize(e))).toEqual(e)
    }
  })

  it('accepts data that came back as a latin1 string (binary-safe text transports)', () => {
    const serde = new EncodingSerDe(new JsonSerDe(), encoding)
    const serialized = serde.serialize(entry)
    const asText =
      typeof serialized === 'string' ? serialized : Buffer.from(serialized).toString('latin1')
    expect(serde.deserialize(asText)).toEqual(entry)
  })

  it('raises SerDeError for garbage', () => {
    const serde = new EncodingSerDe(new JsonSerDe(), encoding)
    for (const garbage of [
      Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]),
      'not encoded data!!',
      '',
    ])
      expect(() => serde.deserialize(garbage)).toThrow(SerDeError)
  })

  it('raises SerDeError for truncated data', () => {
    const serde = new EncodingSerDe(new JsonSerDe(), encoding)
    const serialized = serde.serialize(cacheEntry(1, 2, 3, 'x'.repeat(1000)))
    const truncated = serialized.slice(0, Math.floor(serialized.length / 2))
    expect(() => serde.deserialize(truncated)).toThrow(SerDeError)
  })
})

describe('hostile data', () => {
  // Bombs decode to a *valid* entry, so only the size limit can refuse them.
  const head = Buffer.from('{"created":1,"updateAfter":2,"expiresAfter":3,"value":"')
  const tail = Buffer.from('"}')
  const bomb = (encoding: Exclude<BinaryEncoding, 'base64'>, bytes: number): Buffer => {
    const json = Buffer.concat([head, Buffer.alloc(bytes, 'a'), tail])
    if (encoding === 'gzip') return gzipSync(json, { level: 1 })
    if (encoding === 'deflate') return deflateSync(json, { level: 1 })
    return brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } })
  }

  it.each(['gzip', 'deflate', 'brotli'] as const)(
    'refuses a %s decompression bomb over the limit',
    (encoding) => {
      const data = bomb(encoding, 8 * 1024 * 1024)
      expect(data.length).toBeLessThan(64 * 1024)
      const limited = new EncodingSerDe(new JsonSerDe(), encoding, { maxDecodedBytes: 1024 * 1024 })
      expect(() => limited.deserialize(data)).toThrow(/could not be decompressed/)
      expect(() => limited.deserialize(data)).toThrow(SerDeError)
      // the same data under a larger limit is a valid entry
      const roomy = new EncodingSerDe(new JsonSerDe(), encoding, {
        maxDecodedBytes: 16 * 1024 * 1024,
      })
      expect((roomy.deserialize(data).value as string).length).toBe(8 * 1024 * 1024)
    },
  )

  it('refuses a bomb over the default limit of 64 MiB', () => {
    // concatenated gzip members (cheap to build) decoding to a 65 MiB valid entry
    const mebibyte = gzipSync(Buffer.alloc(1024 * 1024, 'a'), { level: 1 })
    const members = [gzipSync(head), ...new Array<Buffer>(65).fill(mebibyte), gzipSync(tail)]
    const serde = new EncodingSerDe(new JsonSerDe(), 'gzip')
    expect(() => serde.deserialize(Buffer.concat(members))).toThrow(/could not be decompressed/)
  })

  it.each(['abc', 'ab!=', 'a===', '====', 'aGVsbG8=\n'])('refuses invalid base64 %j', (data) => {
    expect(() => new EncodingSerDe(new JsonSerDe(), 'base64').deserialize(data)).toThrow(SerDeError)
  })

  it.each(inners)('%s refuses invalid UTF-8', (_name, inner) => {
    expect(() => inner().deserialize(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toThrow(SerDeError)
  })

  it.each(inners)('%s refuses JSON that is not a cache entry', (_name, inner) => {
    for (const data of ['', '{', 'null', '5', '[]', '{"a":1}', '{"json":{"created":"1"}}'])
      expect(() => inner().deserialize(data)).toThrow(SerDeError)
    expect(() =>
      new JsonSerDe().deserialize('{"created":1,"updateAfter":null,"expiresAfter":3,"value":1}'),
    ).toThrow(SerDeError)
  })

  const protoPayloads = (wrap: (value: string) => string): Array<[string, string]> => [
    [
      'depth 0',
      wrap('{"__proto__":{"polluted":1}}').replace(
        '"value":{',
        '"__proto__":{"polluted":1},"value":{',
      ),
    ],
    ['depth 1', wrap('{"__proto__":{"polluted":1}}')],
    ['depth 5', wrap('{"a":{"b":{"c":{"d":{"__proto__":{"polluted":1}}}}}}')],
    ['in an array', wrap('[{"__proto__":{"polluted":1}}]')],
    // Escapes spell the same key: the fast path (no reviver) must not let them through.
    ['escaped \\u005f', wrap('{"\\u005f_proto__":{"polluted":1}}')],
    [
      'escaped, every character',
      wrap('{"\\u005f\\u005f\\u0070\\u0072\\u006f\\u0074\\u006f\\u005f\\u005f":{"polluted":1}}'),
    ],
  ]
  const jsonEntry = (value: string): string =>
    `{"created":1,"updateAfter":2,"expiresAfter":3,"value":${value}}`
  const superjsonEntry = (value: string): string =>
    `{"json":{"created":1,"updateAfter":2,"expiresAfter":3,"value":${value}}}`

  const cases: Array<[string, SerDe, string]> = [
    ...protoPayloads(jsonEntry).map(([d, p]): [string, SerDe, string] => [
      `JsonSerDe, ${d}`,
      new JsonSerDe(),
      p,
    ]),
    ...protoPayloads(superjsonEntry).map(([d, p]): [string, SerDe, string] => [
      `SuperJsonSerDe, ${d}`,
      new SuperJsonSerDe(),
      p,
    ]),
    [
      'SuperJsonSerDe, a meta path through __proto__',
      new SuperJsonSerDe(),
      '{"json":{"created":1,"updateAfter":2,"expiresAfter":3,"value":{}},"meta":{"referentialEqualities":{"value":["value.__proto__.polluted"]}}}',
    ],
    [
      'SuperJsonSerDe, a meta path through constructor.prototype',
      new SuperJsonSerDe(),
      '{"json":{"created":1,"updateAfter":2,"expiresAfter":3,"value":{"a":{}}},"meta":{"values":{"value.constructor.prototype.polluted":["undefined"]}}}',
    ],
  ]

  it.each(cases)(
    'refuses a __proto__ payload (%s) and leaves Object.prototype unchanged',
    (_label, serde, payload) => {
      const before = Object.getOwnPropertyNames(Object.prototype).sort()
      expect(() => serde.deserialize(payload)).toThrow(SerDeError)
      expect(() => serde.deserialize(Buffer.from(payload))).toThrow(SerDeError)
      const encoded = new EncodingSerDe(serde, 'gzip')
      expect(() => encoded.deserialize(gzipSync(payload))).toThrow(SerDeError)
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before)
    },
  )

  it('keeps {"constructor": {"prototype": ...}} as plain data', () => {
    const back = new JsonSerDe().deserialize(
      jsonEntry('{"constructor":{"prototype":{"polluted":1}}}'),
    ) as CacheEntry<Record<string, unknown>>
    expect(Object.getPrototypeOf(back.value)).toBe(Object.prototype)
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
    expect(Object.assign({}, back.value).polluted).toBeUndefined()
  })

  it('rejects an unknown encoding and a serde without methods', () => {
    expect(() => new EncodingSerDe(new JsonSerDe(), 'zip' as never)).toThrow(
      InvalidConfigurationError,
    )
    expect(() => new EncodingSerDe({} as never, 'gzip')).toThrow(InvalidConfigurationError)
  })
})
