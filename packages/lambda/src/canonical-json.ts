/**
 * `JSON.stringify` with object keys sorted at every level, so that two payloads that differ
 * only in key order give the same text (and therefore one invocation and one cache entry).
 *
 * It follows `JSON.stringify` otherwise: `toJSON()` is honoured (a `Date` becomes its ISO
 * string), boxed primitives are unwrapped, non-finite numbers become `null`, `undefined`,
 * functions and symbols are left out of objects and become `null` in arrays, and a top-level
 * `undefined` becomes `null` (an invocation always sends a document). Keys are sorted by UTF-16
 * code unit, like `Array.prototype.sort`. Unlike `JSON.stringify`, a cycle raises a `TypeError`
 * naming where it is, and so does a `BigInt` (as in `JSON.stringify`).
 */
export function canonicalJson(value: unknown): string {
  return encode(value, '', new Set(), '$') ?? 'null'
}

function encode(
  value: unknown,
  key: string,
  ancestors: Set<object>,
  path: string,
): string | undefined {
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') value = (toJSON as (key: string) => unknown).call(value, key)
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      throw new TypeError(`a BigInt cannot be serialized to JSON (at ${path})`)
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
  }
  if (value === null) return 'null'
  const object = value as object
  if (object instanceof Number || object instanceof String || object instanceof Boolean)
    return encode(object.valueOf(), key, ancestors, path)
  if (ancestors.has(object))
    throw new TypeError(
      `the payload contains a cycle and cannot be serialized to JSON (at ${path})`,
    )
  ancestors.add(object)
  try {
    if (Array.isArray(object)) {
      const parts: string[] = []
      for (let i = 0; i < object.length; i++)
        parts.push(encode(object[i], String(i), ancestors, `${path}[${i}]`) ?? 'null')
      return `[${parts.join(',')}]`
    }
    const record = object as Record<string, unknown>
    const parts: string[] = []
    for (const name of Object.keys(record).sort()) {
      const encoded = encode(record[name], name, ancestors, `${path}.${name}`)
      if (encoded !== undefined) parts.push(`${JSON.stringify(name)}:${encoded}`)
    }
    return `{${parts.join(',')}}`
  } finally {
    ancestors.delete(object)
  }
}
