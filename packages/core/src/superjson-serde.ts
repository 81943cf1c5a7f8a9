import { SuperJSON, type SuperJSONResult } from 'superjson'
import { isCacheEntry, type CacheEntry } from './cache-entry.js'
import { callable } from './callable.js'
import { SerDeError } from './errors.js'
import { parseJsonSafely, toText, type SerDe } from './serde.js'

/**
 * JSON through superjson: `Date`, `Map`, `Set`, `BigInt`, `undefined`, `RegExp`, `URL`, typed
 * arrays, `-0`, `NaN` and repeated or cyclic references round-trip. Class instances come back
 * as plain objects unless registered: `serde.superjson.registerClass(Money, { identifier: 'Money' })`.
 * Each SerDe has its own superjson instance, so registrations never leak between storages.
 */
class SuperJsonSerDeImpl implements SerDe {
  /** The private superjson instance, for `registerClass` / `registerCustom`. */
  readonly superjson = new SuperJSON()

  serialize(entry: CacheEntry): string {
    try {
      return this.superjson.stringify({
        created: entry.created,
        updateAfter: entry.updateAfter,
        expiresAfter: entry.expiresAfter,
        value: entry.value,
      })
    } catch (error) {
      throw new SerDeError(`value cannot be encoded: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }

  deserialize(data: Uint8Array | string): CacheEntry {
    const parsed = parseJsonSafely(toText(data))
    if (typeof parsed !== 'object' || parsed === null || !('json' in parsed))
      throw new SerDeError('data is not a superjson document')
    let decoded: unknown
    try {
      decoded = this.superjson.deserialize(parsed as SuperJSONResult)
    } catch (error) {
      throw new SerDeError(`superjson could not decode the data: ${(error as Error).message}`, {
        cause: error,
      })
    }
    if (!isCacheEntry(decoded)) throw new SerDeError('data is not a cache entry')
    const { created, updateAfter, expiresAfter, value } = decoded
    return { created, updateAfter, expiresAfter, value }
  }
}
export const SuperJsonSerDe = callable(SuperJsonSerDeImpl)
export type SuperJsonSerDe = SuperJsonSerDeImpl
