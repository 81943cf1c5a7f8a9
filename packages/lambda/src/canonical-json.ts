/**
 * `JSON.stringify` with object keys sorted at every level, so that two payloads that differ
 * only in key order give the same text (and therefore one invocation and one cache entry).
 *
 * It follows `JSON.stringify` otherwise: `toJSON()` is honoured (a `Date` becomes its ISO
 * string), boxed primitives are unwrapped, non-finite numbers become `null`, `undefined`,
 * functions and symbols are left out of objects and become `null` in arrays, and a top-level
 * `undefined` becomes `null` (an invocation always sends a document). Keys are sorted by UTF-16
 * code unit, like `Array.prototype.sort`. A cycle or a `BigInt` raises a `TypeError` naming
 * where it is.
 */
export function canonicalJson(value: unknown): string {
  return new Encoder().encode(value, '') ?? 'null'
}

class Encoder {
  /** The objects being encoded, outermost first (cycle detection). */
  readonly #ancestors: object[] = []
  /** The key of each level being encoded, for error messages only. */
  readonly #keys: string[] = []

  encode(value: unknown, key: string): string | undefined {
    if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
      const toJSON = (value as { toJSON?: unknown }).toJSON
      if (typeof toJSON === 'function')
        value = (toJSON as (key: string) => unknown).call(value, key)
    }
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value)
      case 'number':
        return Number.isFinite(value) ? String(value) : 'null'
      case 'boolean':
        return value ? 'true' : 'false'
      case 'bigint':
        throw new TypeError(`a BigInt cannot be serialized to JSON (at ${this.#path(key)})`)
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined
    }
    if (value === null) return 'null'
    const object = value as object
    if (object instanceof Number || object instanceof String || object instanceof Boolean)
      return this.encode(object.valueOf(), key)
    if (this.#ancestors.includes(object))
      throw new TypeError(
        `the payload contains a cycle and cannot be serialized to JSON (at ${this.#path(key)})`,
      )
    this.#ancestors.push(object)
    this.#keys.push(key)
    try {
      return Array.isArray(object)
        ? this.#array(object as unknown[])
        : this.#object(object as Record<string, unknown>)
    } finally {
      this.#ancestors.pop()
      this.#keys.pop()
    }
  }

  #array(array: unknown[]): string {
    let out = '['
    for (let i = 0; i < array.length; i++) {
      if (i > 0) out += ','
      out += this.encode(array[i], String(i)) ?? 'null'
    }
    return out + ']'
  }

  #object(record: Record<string, unknown>): string {
    const keys = Object.keys(record)
    if (keys.length > 1) keys.sort()
    let out = '{'
    let first = true
    for (const name of keys) {
      const encoded = this.encode(record[name], name)
      if (encoded === undefined) continue
      out += (first ? '' : ',') + JSON.stringify(name) + ':' + encoded
      first = false
    }
    return out + '}'
  }

  /** `$.a[1].b`: where the value being encoded under `key` sits. */
  #path(key: string): string {
    const keys = [...this.#keys, key].slice(1)
    let path = '$'
    for (let i = 0; i < keys.length; i++) {
      const parent = this.#ancestors[i]
      path += Array.isArray(parent) ? `[${keys[i]}]` : `.${keys[i]}`
    }
    return path
  }
}
