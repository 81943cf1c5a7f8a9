import { types } from 'node:util'

/**
 * The reference for "equal arguments": what two argument values must satisfy to share a cache
 * key. `-0` differs from `0`, `NaN` equals `NaN`, object key order and Map/Set insertion order
 * do not matter, a hole differs from `undefined`, plain and null-prototype objects with the
 * same properties are equal, binary data compares by type and bytes.
 */
export function sameArgument(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false
  if (typeof a !== 'object' || a === null || b === null) return Object.is(a, b)
  const x = a
  const y = b as object
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false
    for (let i = 0; i < x.length; i++) {
      if (i in x !== i in y) return false
      if (i in x && !sameArgument(x[i], y[i])) return false
    }
    return true
  }
  if (types.isDate(x) || types.isDate(y))
    return types.isDate(x) && types.isDate(y) && Object.is(x.getTime(), y.getTime())
  if (isBinary(x) || isBinary(y))
    return (
      isBinary(x) &&
      isBinary(y) &&
      x.constructor === y.constructor &&
      Buffer.compare(bytesOf(x), bytesOf(y)) === 0
    )
  if (types.isMap(x) || types.isMap(y)) {
    if (!types.isMap(x) || !types.isMap(y) || x.size !== y.size) return false
    return sameMultiset(
      [...x],
      [...y],
      ([k1, v1], [k2, v2]) => sameArgument(k1, k2) && sameArgument(v1, v2),
    )
  }
  if (types.isSet(x) || types.isSet(y)) {
    if (!types.isSet(x) || !types.isSet(y) || x.size !== y.size) return false
    return sameMultiset([...x], [...y], sameArgument)
  }
  if (types.isBoxedPrimitive(x) || types.isBoxedPrimitive(y))
    return (
      types.isBoxedPrimitive(x) &&
      types.isBoxedPrimitive(y) &&
      sameArgument((x as { valueOf(): unknown }).valueOf(), (y as { valueOf(): unknown }).valueOf())
    )
  if (!isPlain(x) || !isPlain(y)) throw new Error('unexpected object in a generated argument')
  const keysX = Object.keys(x).sort()
  const keysY = Object.keys(y).sort()
  if (keysX.length !== keysY.length || keysX.some((key, i) => key !== keysY[i])) return false
  return keysX.every((key) =>
    sameArgument((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]),
  )
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === null || proto === Object.prototype
}

function isBinary(value: object): value is ArrayBufferView {
  return types.isArrayBufferView(value)
}

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength)
}

/** Equal as multisets under an equivalence relation (greedy matching is exact for those). */
function sameMultiset<T>(xs: T[], ys: T[], same: (a: T, b: T) => boolean): boolean {
  const used = new Array<boolean>(ys.length).fill(false)
  return xs.every((x) => {
    const index = ys.findIndex((y, i) => !used[i] && same(x, y))
    if (index < 0) return false
    used[index] = true
    return true
  })
}

/**
 * An equal copy built differently: object keys, Map entries and Set members inserted in
 * reverse order, binary data in new buffers, holes kept.
 */
export function reorderedCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length)
    for (let i = value.length - 1; i >= 0; i--) if (i in value) copy[i] = reorderedCopy(value[i])
    return copy
  }
  if (types.isDate(value)) return new Date(value.getTime())
  if (isBinary(value)) {
    const bytes = bytesOf(value)
    if (Buffer.isBuffer(value)) return Buffer.from(bytes)
    const Ctor = value.constructor as new (buffer: ArrayBuffer) => ArrayBufferView
    const buffer = new ArrayBuffer(bytes.length)
    new Uint8Array(buffer).set(bytes)
    return new Ctor(buffer)
  }
  if (types.isMap(value))
    return new Map([...value].reverse().map(([k, v]) => [reorderedCopy(k), reorderedCopy(v)]))
  if (types.isSet(value)) return new Set([...value].reverse().map(reorderedCopy))
  if (types.isBoxedPrimitive(value)) return Object((value as { valueOf(): unknown }).valueOf())
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<
    string,
    unknown
  >
  for (const key of Object.keys(value).reverse())
    Object.defineProperty(copy, key, {
      value: reorderedCopy((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  return copy
}
