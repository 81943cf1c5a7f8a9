import { createHash } from 'node:crypto'
import { types } from 'node:util'
import { KeyDerivationError } from './errors.js'

/**
 * Implement `[cacheKey]()` on a class whose instances are passed as arguments to memoized
 * methods: it returns a plain value that identifies the instance (an id, a tuple of fields).
 * Other class instances are rejected, because their private state is invisible to the encoder
 * and two different instances could otherwise share a key.
 */
export const cacheKey: unique symbol = Symbol.for('memokit.cacheKey')

/** Bounds that keep key derivation fast and safe on hostile input. */
export interface KeyEncodingLimits {
  /** Deepest nesting accepted. @default 64 */
  maxDepth?: number
  /** Most values (array slots, object properties, map/set members) accepted. @default 10_000 */
  maxNodes?: number
  /** Longest encoding accepted, in UTF-16 code units. @default 1_048_576 */
  maxLength?: number
}

const DEFAULT_LIMITS: Required<KeyEncodingLimits> = {
  maxDepth: 64,
  maxNodes: 10_000,
  maxLength: 1_048_576,
}

/**
 * Encodes an argument list into a canonical, type-tagged string (format version 1):
 * equal arguments give equal strings, different arguments different ones.
 *
 * - `undefined` `u`, `null` `n`, booleans `t`/`f`, numbers `d` + `String(n)` (`-0` is `d-0`,
 *   distinct from `0`), bigints `b` + digits, strings as JSON string literals (lone surrogates
 *   stay escaped, so `"\uD800"` and `"\uFFFD"` differ);
 * - arrays `[a,b]` with holes as `_`; plain and null-prototype objects `{"k":v}` with keys
 *   sorted by code unit (key order never matters);
 * - `Date` `D` + epoch ms, `Map` `M{k=>v,...}` and `Set` `S{...}` with members sorted by their
 *   encoding, `RegExp` `R`, `URL` `L`, boxed primitives `X`, binary data (`Buffer`, typed arrays,
 *   `DataView`, `ArrayBuffer`) `B<Type>:` + base64 of the bytes;
 * - objects with a `[cacheKey]()` method `K"Class"` + the encoding of what it returns.
 *
 * Functions, symbols, cycles, other class instances (including `Error`, `Promise`, `WeakMap`)
 * and inputs beyond the {@link KeyEncodingLimits} raise {@link KeyDerivationError}.
 */
export function encodeArguments(args: readonly unknown[], limits?: KeyEncodingLimits): string {
  // Fast paths for the common shapes: no argument, one primitive argument.
  if (args.length === 0) return '[]'
  if (args.length === 1) {
    const only = args[0]
    switch (typeof only) {
      case 'string':
        if (only.length <= (limits?.maxLength ?? DEFAULT_LIMITS.maxLength))
          return '[' + JSON.stringify(only) + ']'
        break
      case 'number':
        return Object.is(only, -0) ? '[d-0]' : '[d' + String(only) + ']'
      case 'boolean':
        return only ? '[t]' : '[f]'
    }
  }
  return new Encoder(limits).encode(args, 'args')
}

/** Encodes one value with the same canonical encoding as {@link encodeArguments}. */
export function encodeValue(value: unknown, limits?: KeyEncodingLimits): string {
  return new Encoder(limits).encode(value, 'value')
}

/**
 * SHA-256 of the UTF-8 bytes of `text`, base64url. Canonical encodings keep lone surrogates
 * escaped, so the UTF-8 conversion never merges two different keys.
 */
export function hashKey(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url')
}

class Encoder {
  readonly #maxDepth: number
  readonly #maxNodes: number
  readonly #maxLength: number
  #nodes = 0
  #length = 0
  readonly #ancestors = new Set<object>()

  constructor(limits: KeyEncodingLimits | undefined) {
    this.#maxDepth = limits?.maxDepth ?? DEFAULT_LIMITS.maxDepth
    this.#maxNodes = limits?.maxNodes ?? DEFAULT_LIMITS.maxNodes
    this.#maxLength = limits?.maxLength ?? DEFAULT_LIMITS.maxLength
  }

  encode(value: unknown, path: string): string {
    return this.#value(value, path, 0)
  }

  #count(path: string): void {
    if (++this.#nodes > this.#maxNodes)
      throw new KeyDerivationError(
        `arguments hold more than ${this.#maxNodes} values; pass a smaller argument or a custom KeyExtractor`,
        path,
      )
  }

  #reserve(length: number, path: string): void {
    this.#length += length
    if (this.#length > this.#maxLength)
      throw new KeyDerivationError(
        `the encoded arguments exceed ${this.#maxLength} characters; pass a smaller argument or a custom KeyExtractor`,
        path,
      )
  }

  #grow(piece: string, path: string): string {
    this.#reserve(piece.length, path)
    return piece
  }

  #value(value: unknown, path: string, depth: number): string {
    this.#count(path)
    switch (typeof value) {
      case 'undefined':
        return 'u'
      case 'boolean':
        return value ? 't' : 'f'
      case 'number':
        return Object.is(value, -0) ? 'd-0' : 'd' + String(value)
      case 'bigint':
        return this.#grow('b' + value.toString(), path)
      case 'string':
        this.#reserve(value.length, path) // checked before JSON.stringify copies a huge string
        return JSON.stringify(value)
      case 'symbol':
        throw new KeyDerivationError(
          'a symbol cannot be part of a cache key; pass a string or a custom KeyExtractor',
          path,
        )
      case 'function':
        throw new KeyDerivationError(
          'a function cannot be part of a cache key; pass data or a custom KeyExtractor',
          path,
        )
      case 'object':
        if (value === null) return 'n'
        return this.#object(value, path, depth)
    }
    /* c8 ignore next */
    throw new KeyDerivationError(`unsupported type ${typeof value}`, path)
  }

  #object(value: object, path: string, depth: number): string {
    if (depth >= this.#maxDepth)
      throw new KeyDerivationError(
        `arguments are nested deeper than ${this.#maxDepth} levels`,
        path,
      )
    if (this.#ancestors.has(value))
      throw new KeyDerivationError(
        'arguments contain a cycle; a cyclic value cannot be encoded as a cache key',
        path,
      )
    this.#ancestors.add(value)
    try {
      return this.#objectBody(value, path, depth + 1)
    } catch (error) {
      if (error instanceof KeyDerivationError) throw error
      throw new KeyDerivationError(
        `reading the argument failed: ${error instanceof Error ? error.message : String(error)}`,
        path,
        { cause: error },
      )
    } finally {
      this.#ancestors.delete(value)
    }
  }

  #objectBody(value: object, path: string, depth: number): string {
    if (Array.isArray(value)) return this.#array(value as unknown[], path, depth)
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto === null || isObjectPrototype(proto)) {
      if (typeof (value as { [cacheKey]?: unknown })[cacheKey] === 'function')
        return this.#custom(value, path, depth)
      return this.#plain(value as Record<string, unknown>, path, depth)
    }
    if (types.isDate(value)) return 'D' + String(value.getTime())
    if (types.isArrayBufferView(value) || types.isAnyArrayBuffer(value))
      return this.#binary(value, path)
    if (types.isMap(value)) return this.#map(value, path, depth)
    if (types.isSet(value)) return this.#set(value, path, depth)
    if (types.isRegExp(value)) {
      const re = value
      return this.#grow('R' + JSON.stringify(re.source) + '/' + re.flags, path)
    }
    if (types.isBoxedPrimitive(value)) {
      return 'X' + this.#value((value as { valueOf(): unknown }).valueOf(), path, depth)
    }
    if (typeof URL === 'function' && value instanceof URL)
      return this.#grow('L' + JSON.stringify(value.href), path)
    if (typeof (value as { [cacheKey]?: unknown })[cacheKey] === 'function')
      return this.#custom(value, path, depth)
    throw new KeyDerivationError(
      `an instance of ${className(value)} cannot be part of a cache key: give the class a ` +
        '[cacheKey]() method (import { cacheKey } from "@memokit/core") or use a custom KeyExtractor',
      path,
    )
  }

  #array(value: unknown[], path: string, depth: number): string {
    const length = value.length
    if (length > this.#maxNodes) this.#nodes = this.#maxNodes // next count throws
    let out = '['
    for (let i = 0; i < length; i++) {
      if (i > 0) out += ','
      if (i in value) out += this.#value(value[i], `${path}[${i}]`, depth)
      else {
        this.#count(`${path}[${i}]`)
        out += '_'
      }
    }
    return out + ']'
  }

  #plain(value: Record<string, unknown>, path: string, depth: number): string {
    if (Object.getOwnPropertySymbols(value).some((symbol) => isEnumerable(value, symbol)))
      throw new KeyDerivationError(
        'an object with symbol keys cannot be part of a cache key; symbols have no stable encoding',
        path,
      )
    const keys = Object.keys(value).sort()
    let out = '{'
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      if (i > 0) out += ','
      out +=
        this.#grow(JSON.stringify(key), path) +
        ':' +
        this.#value(value[key], `${path}.${key}`, depth)
    }
    return out + '}'
  }

  #map(value: Map<unknown, unknown>, path: string, depth: number): string {
    const parts: string[] = []
    for (const [k, v] of value) {
      parts.push(
        this.#value(k, `${path}<key>`, depth) + '=>' + this.#value(v, `${path}<value>`, depth),
      )
    }
    return 'M{' + parts.sort().join(',') + '}'
  }

  #set(value: Set<unknown>, path: string, depth: number): string {
    const parts: string[] = []
    for (const member of value) parts.push(this.#value(member, `${path}<member>`, depth))
    return 'S{' + parts.sort().join(',') + '}'
  }

  #binary(value: object, path: string): string {
    let bytes: Buffer
    if (types.isAnyArrayBuffer(value)) bytes = Buffer.from(value as ArrayBuffer)
    else {
      const view = value as ArrayBufferView
      bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength)
    }
    this.#reserve(Math.ceil(bytes.length / 3) * 4, path) // checked before base64 copies the bytes
    return this.#grow('B' + className(value) + ':', path) + bytes.toString('base64')
  }

  #custom(value: object, path: string, depth: number): string {
    const key: unknown = (value as { [cacheKey]: () => unknown })[cacheKey]()
    return (
      this.#grow('K' + JSON.stringify(className(value)), path) +
      this.#value(key, `${path}[cacheKey]`, depth)
    )
  }
}

function isObjectPrototype(proto: unknown): boolean {
  // Object.prototype of this or another realm (jest and vm contexts have their own).
  return (
    proto === Object.prototype ||
    (Object.getPrototypeOf(proto) === null &&
      Object.prototype.toString.call(proto) === '[object Object]' &&
      typeof (proto as { hasOwnProperty?: unknown }).hasOwnProperty === 'function' &&
      (proto as { constructor?: { name?: unknown } }).constructor?.name === 'Object')
  )
}

function isEnumerable(value: object, key: PropertyKey): boolean {
  return Object.prototype.propertyIsEnumerable.call(value, key)
}

function className(value: object): string {
  const proto: unknown = Object.getPrototypeOf(value)
  const name = (proto as { constructor?: { name?: unknown } } | null)?.constructor?.name
  return typeof name === 'string' && name !== '' ? name : 'Object'
}
