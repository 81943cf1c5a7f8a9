import { InvalidConfigurationError, type CacheKey } from '@memokit/core'
import { describe } from './describe.js'

/** The namespace used when none is given. */
export const DEFAULT_NAMESPACE = 'memokit'

/**
 * Checks a namespace: a non-empty string without braces or whitespace. Braces are refused
 * because Redis Cluster hashes only what is between the first `{` and `}`: a braced namespace
 * would pin every key to one slot, so one node would hold the whole cache.
 *
 * @internal
 */
export function checkNamespace(value: unknown): string {
  if (value === undefined) return DEFAULT_NAMESPACE
  if (typeof value !== 'string' || value === '' || /[{}\s]/.test(value))
    throw new InvalidConfigurationError(
      `namespace must be a non-empty string without braces or whitespace (a braced prefix would ` +
        `put every key in one Redis Cluster slot), got ${describe(value)}`,
    )
  return value
}

const NEEDS_ESCAPE = /[%{}\uD800-\uDFFF]/
const ESCAPED = /[%{}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Makes a cache key safe to embed in a Redis key, injectively: `%`, `{` and `}` are
 * percent-encoded (so user data never forms a Cluster hash tag) and lone surrogates become
 * `%uXXXX` (UTF-8 would turn every one of them into U+FFFD, making different keys collide).
 *
 * @internal
 */
export function escapeKey(key: CacheKey): string {
  if (!NEEDS_ESCAPE.test(key)) return key
  return key.replace(ESCAPED, (char) =>
    char.length === 1 && char.charCodeAt(0) >= 0xd800
      ? `%u${char.charCodeAt(0).toString(16).toUpperCase()}`
      : `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  )
}

/** `{<escaped key>}`; the empty key gets `{%}` (an empty tag would not count as one). */
function hashTag(key: CacheKey): string {
  return key === '' ? '{%}' : `{${escapeKey(key)}}`
}

/**
 * The Redis names one namespace uses. Every name is `<namespace>:<kind>:<escaped key>` (the
 * entry and tombstone names put the escaped key in braces), so
 * several applications share a Redis by choosing different namespaces, and an ACL can grant
 * `~<namespace>:*` and `&<namespace>:*`.
 *
 * @internal
 */
export class RedisNames {
  readonly namespace: string
  readonly #entry: string
  readonly #tombstone: string
  readonly #lock: string
  readonly #notice: string

  constructor(namespace: string) {
    this.namespace = namespace
    this.#entry = `${namespace}:e:`
    this.#tombstone = `${namespace}:t:`
    this.#lock = `${namespace}:l:`
    this.#notice = `${namespace}:u:`
  }

  /**
   * Where an entry is stored: `<namespace>:e:{<escaped key>}`. The braces are a Redis Cluster
   * hash tag: the entry and its {@link tombstone} share a slot, so one script can touch both,
   * while different keys still spread over every slot.
   */
  entry(key: CacheKey): string {
    return this.#entry + hashTag(key)
  }

  /** The marker a release leaves for a while (`<namespace>:t:{<escaped key>}`): see `fence`. */
  tombstone(key: CacheKey): string {
    return this.#tombstone + hashTag(key)
  }

  /** The dog-pile lock of a key. */
  lock(key: CacheKey): string {
    return this.#lock + escapeKey(key)
  }

  /** The pub/sub channel announcing the end of a key's update. */
  notice(key: CacheKey): string {
    return this.#notice + escapeKey(key)
  }

  /** The invalidation-bus channel. */
  bus(): string {
    return `${this.namespace}:bus`
  }
}
