import { types } from 'node:util'

/**
 * The constants of the size model, in bytes, for V8 on 64-bit Node (no pointer compression,
 * Node's default build), where a tagged slot is 8 bytes. They were calibrated by storing
 * thousands of fresh values of each kind and reading `process.memoryUsage()` (`heapUsed +
 * arrayBuffers`) after full garbage collections, before and after; the figures are in the
 * package README and `bench/src/memory-size-model.ts` reproduces them. Where V8's layout
 * depends on how a value was built, the larger layout is assumed, so estimates err high.
 */
export const SIZE_MODEL = Object.freeze({
  /** A number that is not a small integer (a boxed double) when held in a slot. */
  heapNumber: 16,
  /** A string: header, then 1 byte per character (Latin-1) or 2 (anything else), rounded to 8. */
  stringHeader: 16,
  /**
   * Added for strings of 13+ characters, which V8 may hold as a concatenation or a slice: a
   * 32-byte indirection in front of the characters (and a slice keeps its parent alive).
   */
  stringIndirection: 32,
  /** Length from which `stringIndirection` applies. */
  stringIndirectionLength: 13,
  /** A BigInt: header, then 8 bytes per 64-bit digit. */
  bigintHeader: 16,
  bigintDigit: 8,
  /** A symbol (its description is usually shared). */
  symbol: 32,
  /** An object with at most `fastProperties` properties: base + per property. */
  objectBase: 40,
  objectProperty: 10,
  /**
   * Beyond this many properties an object is assumed to be a hash table ("dictionary mode",
   * what V8 switches to when many properties are added one by one): base + 24 bytes per slot
   * of a table of the next power of two >= 1.5 x the property count.
   */
  fastProperties: 16,
  dictionaryBase: 64,
  dictionarySlot: 24,
  /** An array: object + backing store header, then per element (8 + growth slack). */
  arrayBase: 48,
  arrayElement: 10,
  /** `Map`: base + per hash-table slot (key, value, chain, bucket share); slots = next power of 2. */
  mapBase: 72,
  mapSlot: 28,
  /** `Set`: base + per hash-table slot (key, chain, bucket share); slots = next power of 2. */
  setBase: 72,
  setSlot: 20,
  date: 96,
  /** `RegExp`: plus its source string. */
  regexp: 96,
  /** An `Error`: its captured stack dominates; plus its message string. */
  error: 512,
  /** A function; what its closure captures is not counted. */
  function: 96,
  /** A typed array, `Buffer` or `DataView` object; plus the bytes it views. */
  arrayBufferView: 96,
  /** An `ArrayBuffer` object (once per buffer); plus its bytes when it is stored itself. */
  arrayBuffer: 88,
  /** Promises, weak collections, proxies, other opaque objects: counted, never traversed. */
  opaque: 136,
  /** What a stored entry costs beyond its key and value: LRU node, index slot, expiry slot. */
  entryOverhead: 176,
  /**
   * What the memoize engine adds to a cache entry on its first hit: the resolved promise of
   * its value, kept with the entry (86 bytes measured on Node 20). `MemoryCacheStorage` counts it.
   */
  keptPromise: 88,
})

/**
 * Objects may report their own size: a method under this symbol returning their estimated
 * bytes is used instead of walking them. Useful for classes whose state lives in private
 * `#fields`, which the estimate cannot see; `FaasCacheMap` implements it.
 */
export const CUSTOM_BYTE_SIZE: unique symbol = Symbol.for('memokit.byteSize')

// Any character outside Latin-1 makes V8 store the whole string with two bytes per character.
const TWO_BYTE = /[\u0100-\uffff]/
const SMI_MIN = -(2 ** 31)
const SMI_MAX = 2 ** 31 - 1
const LIMIT_CHECK_EVERY = 1024

/** Bytes of a string held in a slot. */
export function stringSize(value: string): number {
  const length = value.length
  const bytes = SIZE_MODEL.stringHeader + length * (TWO_BYTE.test(value) ? 2 : 1)
  const rounded = Math.ceil(bytes / 8) * 8
  return length < SIZE_MODEL.stringIndirectionLength
    ? rounded
    : rounded + SIZE_MODEL.stringIndirection
}

function isSmallInteger(value: number): boolean {
  return Number.isInteger(value) && value >= SMI_MIN && value <= SMI_MAX && !Object.is(value, -0)
}

function bigintSize(value: bigint): number {
  if (value === 0n) return SIZE_MODEL.bigintHeader
  const bits = (value < 0n ? -value : value).toString(16).length * 4
  return SIZE_MODEL.bigintHeader + Math.ceil(bits / 64) * SIZE_MODEL.bigintDigit
}

function nextPowerOfTwo(n: number, minimum: number): number {
  let capacity = minimum
  while (capacity < n) capacity *= 2
  return capacity
}

/**
 * Estimates how many bytes of memory `value` keeps alive, from the live object graph (nothing
 * is serialized). Strings, numbers, booleans, BigInts, symbols, plain objects, class
 * instances, arrays, `Map`, `Set`, `Date`, `RegExp`, errors, `Buffer`, typed arrays,
 * `DataView` and `ArrayBuffer` are measured with the constants of {@link SIZE_MODEL};
 * nesting is followed to any depth without recursion, and an object reachable twice (a
 * shared reference, a cycle) is counted once.
 *
 * Not counted: prototypes and hidden classes (shared by all objects of a shape), what a
 * function's closure captures, the contents of promises, weak collections and proxies, symbol
 * and non-enumerable properties, private `#fields`, and the larger buffer a `Buffer` or typed
 * array may be a view of (Node's 8 KiB pool for small Buffers, or the parent of a slice).
 * Own enumerable properties are read, so getters among them run.
 *
 * @param limit stop as soon as the estimate exceeds this many bytes (the result is then a
 *   lower bound above `limit`): a value far larger than a budget is not walked to the end.
 */
export function estimateByteSize(value: unknown, limit = Infinity): number {
  switch (typeof value) {
    case 'string':
      return stringSize(value)
    case 'number':
      return isSmallInteger(value) ? 0 : SIZE_MODEL.heapNumber
    case 'bigint':
      return bigintSize(value)
    case 'symbol':
      return SIZE_MODEL.symbol
    case 'function':
      return SIZE_MODEL.function
    case 'object':
      return value === null ? 0 : measureObject(value, limit)
    default:
      return 0 // undefined, booleans: shared constants held in the slot itself
  }
}

/** An idle estimator, reused so a measurement allocates nothing in the common case. */
let idle: Estimator | undefined

function measureObject(value: object, limit: number): number {
  // A getter run during a measurement may start another one: that one gets its own estimator.
  const estimator = idle ?? new Estimator()
  idle = undefined
  try {
    return estimator.run(value, limit)
  } finally {
    estimator.reset()
    idle = estimator
  }
}

/** One measurement at a time: a worklist of objects not yet visited. */
class Estimator {
  total = 0
  #limit = Infinity
  readonly #seen = new Set<object>()
  readonly #names = new Set<string>()
  readonly #work: object[] = []

  run(root: object, limit: number): number {
    this.#limit = limit
    this.#seen.add(root)
    this.#work.push(root)
    for (let next = this.#work.pop(); next !== undefined; next = this.#work.pop()) {
      try {
        this.#object(next)
      } catch {
        // User code run while measuring (a getter, an overridden iterator) threw.
        this.total += SIZE_MODEL.opaque
      }
      if (this.total > this.#limit) break
    }
    return this.total
  }

  /** Forgets the last measurement (and the references it held). */
  reset(): void {
    this.total = 0
    this.#seen.clear()
    this.#names.clear()
    this.#work.length = 0
  }

  /** Counts what a value held in a slot adds beyond the slot; queues objects. */
  #child(value: unknown): void {
    switch (typeof value) {
      case 'string':
        this.total += stringSize(value)
        return
      case 'number':
        if (!isSmallInteger(value)) this.total += SIZE_MODEL.heapNumber
        return
      case 'bigint':
        this.total += bigintSize(value)
        return
      case 'symbol':
        this.total += SIZE_MODEL.symbol
        return
      case 'function':
        if (!this.#seen.has(value)) {
          this.#seen.add(value)
          this.total += SIZE_MODEL.function
        }
        return
      case 'object':
        if (value !== null && !this.#seen.has(value)) {
          this.#seen.add(value)
          this.#work.push(value)
        }
        return
      default:
        return
    }
  }

  #object(value: object): void {
    // Proxies first: any other check could run their traps.
    if (types.isProxy(value)) {
      this.total += SIZE_MODEL.opaque
      return
    }
    if (Array.isArray(value)) return this.#array(value as unknown[])
    const custom = (value as { [CUSTOM_BYTE_SIZE]?: unknown })[CUSTOM_BYTE_SIZE]
    if (typeof custom === 'function') {
      const size: unknown = custom.call(value)
      if (typeof size === 'number' && size >= 0 && Number.isFinite(size)) {
        this.total += size
        return
      }
    }
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto === Object.prototype || proto === null) return this.#properties(value)
    if (types.isArrayBufferView(value)) {
      const view = value as ArrayBufferView
      this.total += SIZE_MODEL.arrayBufferView + view.byteLength
      if (!this.#seen.has(view.buffer)) {
        this.#seen.add(view.buffer)
        this.total += SIZE_MODEL.arrayBuffer
      }
      return
    }
    if (types.isAnyArrayBuffer(value)) {
      this.total += SIZE_MODEL.arrayBuffer + (value as ArrayBuffer).byteLength
      return
    }
    if (types.isMap(value)) return this.#map(value)
    if (types.isSet(value)) return this.#set(value)
    if (types.isDate(value)) {
      this.total += SIZE_MODEL.date
      return
    }
    if (types.isRegExp(value)) {
      this.total += SIZE_MODEL.regexp + stringSize(value.source)
      return
    }
    if (types.isNativeError(value) || value instanceof Error) {
      const message = value.message
      this.total += SIZE_MODEL.error + (typeof message === 'string' ? stringSize(message) : 0)
      return
    }
    if (types.isBoxedPrimitive(value)) {
      this.total += SIZE_MODEL.objectBase
      this.#child((value as { valueOf(): unknown }).valueOf())
      return
    }
    if (
      types.isPromise(value) ||
      types.isWeakMap(value) ||
      types.isWeakSet(value) ||
      value instanceof WeakRef ||
      types.isGeneratorObject(value) ||
      types.isModuleNamespaceObject(value)
    ) {
      this.total += SIZE_MODEL.opaque
      return
    }
    this.#properties(value) // class instances and other ordinary objects
  }

  #array(array: unknown[]): void {
    const length = array.length
    this.total += SIZE_MODEL.arrayBase + SIZE_MODEL.arrayElement * length
    // A huge (maybe sparse) array over the limit is not walked.
    if (this.total > this.#limit) return
    for (let i = 0; i < length; i++) {
      // Doubles are boxed (a HeapNumber each) in most arrays, even all-number ones built by
      // JSON.parse or Array.from; only literal and push-built double arrays unbox them.
      this.#child(array[i])
      if ((i & (LIMIT_CHECK_EVERY - 1)) === 0 && this.total > this.#limit) return
    }
  }

  #properties(object: object): void {
    let keys: string[]
    try {
      keys = Object.keys(object)
    } catch {
      this.total += SIZE_MODEL.opaque
      return
    }
    const count = keys.length
    this.total +=
      count <= SIZE_MODEL.fastProperties
        ? SIZE_MODEL.objectBase + SIZE_MODEL.objectProperty * count
        : SIZE_MODEL.dictionaryBase +
          SIZE_MODEL.dictionarySlot * nextPowerOfTwo(Math.ceil(count * 1.5), 4)
    if (this.total > this.#limit) return
    const record = object as Record<string, unknown>
    for (let i = 0; i < count; i++) {
      const key = keys[i] as string
      // Property names are interned by V8: one copy however many objects use the name.
      if (!this.#names.has(key)) {
        this.#names.add(key)
        this.total += stringSize(key)
      }
      let property: unknown
      try {
        property = record[key]
      } catch {
        continue // a throwing getter: only its slot is counted
      }
      this.#child(property)
      if ((i & (LIMIT_CHECK_EVERY - 1)) === 0 && this.total > this.#limit) return
    }
  }

  #map(map: Map<unknown, unknown>): void {
    this.total += SIZE_MODEL.mapBase + SIZE_MODEL.mapSlot * nextPowerOfTwo(map.size, 4)
    let i = 0
    for (const [key, entry] of map) {
      this.#child(key)
      this.#child(entry)
      if ((++i & (LIMIT_CHECK_EVERY - 1)) === 0 && this.total > this.#limit) return
    }
  }

  #set(set: Set<unknown>): void {
    this.total += SIZE_MODEL.setBase + SIZE_MODEL.setSlot * nextPowerOfTwo(set.size, 4)
    let i = 0
    for (const member of set) {
      this.#child(member)
      if ((++i & (LIMIT_CHECK_EVERY - 1)) === 0 && this.total > this.#limit) return
    }
  }
}
