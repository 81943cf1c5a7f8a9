import { types } from 'node:util'

/**
 * Copies a value graph so the copy shares no mutable object with the original. Keeps
 * prototypes (class instances stay instances of their class), property descriptors, holes,
 * shared references and cycles. Copies `Date`, `RegExp`, `Map`, `Set`, binary data and boxed
 * primitives by value. Functions, promises, weak collections and other opaque built-ins are
 * shared, as they cannot be copied. Private `#fields` of class instances are not copied.
 */
export function deepCopy<T>(value: T): T {
  return copy(value, new Map()) as T
}

function copy(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value
  const known = seen.get(value)
  if (known !== undefined) return known

  if (types.isDate(value)) return remember(seen, value, new Date(value.getTime()))
  if (types.isRegExp(value)) {
    const re = value
    const clone = new RegExp(re.source, re.flags)
    clone.lastIndex = re.lastIndex
    return remember(seen, value, clone)
  }
  if (types.isAnyArrayBuffer(value)) return remember(seen, value, (value as ArrayBuffer).slice(0))
  if (types.isArrayBufferView(value))
    return remember(seen, value, copyView(value as ArrayBufferView))
  if (types.isMap(value)) {
    const clone = new Map()
    seen.set(value, clone)
    for (const [k, v] of value) clone.set(copy(k, seen), copy(v, seen))
    return clone
  }
  if (types.isSet(value)) {
    const clone = new Set()
    seen.set(value, clone)
    for (const member of value) clone.add(copy(member, seen))
    return clone
  }
  if (types.isBoxedPrimitive(value))
    return remember(seen, value, Object((value as { valueOf(): unknown }).valueOf()))
  if (
    types.isPromise(value) ||
    types.isWeakMap(value) ||
    types.isWeakSet(value) ||
    types.isProxy(value) ||
    value instanceof WeakRef
  )
    return value

  const clone: object = Array.isArray(value)
    ? new Array<unknown>((value as unknown[]).length)
    : (Object.create(Object.getPrototypeOf(value) as object | null) as object)
  seen.set(value, clone)
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)
    if (descriptor === undefined) continue
    if (Array.isArray(value) && key === 'length') continue
    if ('value' in descriptor) descriptor.value = copy(descriptor.value as unknown, seen)
    Object.defineProperty(clone, key, descriptor)
  }
  if (Object.isFrozen(value)) Object.freeze(clone)
  else if (Object.isSealed(value)) Object.seal(clone)
  else if (!Object.isExtensible(value)) Object.preventExtensions(clone)
  return clone
}

function remember<T>(seen: Map<object, unknown>, original: object, clone: T): T {
  seen.set(original, clone)
  return clone
}

function copyView(view: ArrayBufferView): ArrayBufferView {
  const bytes = new Uint8Array(
    view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength),
  )
  if (Buffer.isBuffer(view)) return Buffer.from(bytes.buffer, 0, bytes.byteLength)
  if (view instanceof DataView || types.isDataView(view)) return new DataView(bytes.buffer)
  const Ctor = view.constructor as new (buffer: ArrayBufferLike) => ArrayBufferView
  return new Ctor(bytes.buffer)
}
