import { isCacheEntry, type CacheEntry } from './cache-entry.js'
import { callable } from './callable.js'
import { SerDeError } from './errors.js'
import { parseJsonSafely, toText, type SerDe } from './serde.js'
import { requireOptions, requireTypeOf } from './validate.js'

export interface JsonSerDeOptions {
  /** Turns a value into something JSON can hold (applied on serialize). @default identity */
  valueToReversibleRepr?: (value: unknown) => unknown
  /** The inverse of `valueToReversibleRepr` (applied on deserialize). @default identity */
  reversibleReprToValue?: (repr: unknown) => unknown
}

/**
 * Plain JSON: `{"created":…,"updateAfter":…,"expiresAfter":…,"value":…}` with epoch
 * milliseconds. Fast and readable by any language; values lose non-JSON types (Date becomes a
 * string, Map and Set become `{}`, BigInt fails): use {@link SuperJsonSerDe} or the transforms
 * for those.
 */
class JsonSerDeImpl implements SerDe {
  readonly #toRepr: (value: unknown) => unknown
  readonly #fromRepr: (repr: unknown) => unknown

  constructor(options?: JsonSerDeOptions) {
    options = requireOptions('JsonSerDe', options)
    requireTypeOf('valueToReversibleRepr', options.valueToReversibleRepr, 'function')
    requireTypeOf('reversibleReprToValue', options.reversibleReprToValue, 'function')
    this.#toRepr = options.valueToReversibleRepr ?? ((value) => value)
    this.#fromRepr = options.reversibleReprToValue ?? ((repr) => repr)
  }

  serialize(entry: CacheEntry): string {
    try {
      return JSON.stringify({
        created: entry.created,
        updateAfter: entry.updateAfter,
        expiresAfter: entry.expiresAfter,
        value: this.#toRepr(entry.value),
      })
    } catch (error) {
      throw new SerDeError(`value cannot be encoded as JSON: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }

  deserialize(data: Uint8Array | string): CacheEntry {
    const parsed = parseJsonSafely(toText(data))
    if (!isCacheEntry(parsed)) throw new SerDeError('data is not a cache entry')
    const { created, updateAfter, expiresAfter } = parsed
    let value: unknown
    try {
      value = this.#fromRepr(parsed.value)
    } catch (error) {
      throw new SerDeError(`value cannot be restored: ${(error as Error).message}`, {
        cause: error,
      })
    }
    return { created, updateAfter, expiresAfter, value }
  }
}
export const JsonSerDe = callable(JsonSerDeImpl)
export type JsonSerDe = JsonSerDeImpl
