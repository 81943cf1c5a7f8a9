import { SerDeError, type Clock, type SerDe } from '@memokit/core'
import { CascadeValueTooLargeError, CorruptCascadeDataError } from './errors.js'

/**
 * Turns cascade values (payloads, results, errors, shared-memory values) into the bytes kept
 * in Redis and back, through a core `SerDe` (`SuperJsonSerDe` by default, so `Date`, `Map`,
 * `Set`, `BigInt` and `undefined` round-trip).
 *
 * Each value is wrapped as a cache entry whose value is `{ k, v }`: `k` repeats the Redis key
 * and hash field it was written to, so a value copied under another key (or from another
 * step, chain or namespace) is refused on read. Data over `maxValueBytes` is refused before
 * it is parsed, and the SerDe refuses `__proto__` keys: hostile data in Redis becomes a
 * {@link CorruptCascadeDataError}, never an object with a polluted prototype.
 *
 * @internal
 */
export class ValueCodec {
  readonly serde: SerDe
  readonly maxValueBytes: number
  readonly #clock: Clock

  constructor(serde: SerDe, clock: Clock, maxValueBytes: number) {
    this.serde = serde
    this.#clock = clock
    this.maxValueBytes = maxValueBytes
  }

  /** Encodes `value` for `key`'s hash field `field`; `what` names it in a size error. */
  encode(what: string, key: string, field: string, value: unknown): string | Uint8Array {
    const now = this.#clock.now()
    const data = this.serde.serialize({
      created: now,
      updateAfter: now,
      expiresAfter: now,
      value: { k: `${key}#${field}`, v: value },
    })
    const size = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength
    if (size > this.maxValueBytes)
      throw new CascadeValueTooLargeError(what, size, this.maxValueBytes)
    return data
  }

  /** Decodes what {@link encode} wrote for `key`'s field `field`, or throws CorruptCascadeDataError. */
  decode(key: string, field: string, data: Buffer): unknown {
    const where = `${key}#${field}`
    if (data.byteLength > this.maxValueBytes)
      throw new CorruptCascadeDataError(
        where,
        `${data.byteLength} bytes, over the ${this.maxValueBytes}-byte limit (not parsed)`,
      )
    let value: unknown
    try {
      value = this.serde.deserialize(data).value
    } catch (error) {
      const problem = error instanceof SerDeError ? error.message : 'it cannot be decoded'
      throw new CorruptCascadeDataError(where, problem, { cause: error })
    }
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, 'k'))
      throw new CorruptCascadeDataError(where, 'not a cascade value')
    const wrapped = value as { k: unknown; v?: unknown }
    if (wrapped.k !== where)
      throw new CorruptCascadeDataError(where, 'the value was written for another key')
    return wrapped.v
  }
}

/**
 * A failure as it crosses Lambdas: its type (the error's `name`, e.g. `TypeError`), message
 * and, when it has a string one, `code`. Stacks and causes stay behind (they may hold data).
 */
export interface SerializedStepError {
  readonly type: string
  readonly message: string
  readonly code?: string
}

/** Longest message kept, in characters. */
const MAX_MESSAGE = 8_192

/** Serializes whatever a step threw. Never throws. @internal */
export function serializeError(error: unknown): SerializedStepError {
  let type: string
  let message: string
  let code: string | undefined
  try {
    if (error instanceof Error) {
      type = typeof error.name === 'string' && error.name !== '' ? error.name : 'Error'
      message = typeof error.message === 'string' ? error.message : ''
      const errorCode = (error as { code?: unknown }).code
      if (typeof errorCode === 'string') code = errorCode
    } else {
      type = error === null ? 'null' : typeof error
      message = String(error)
    }
  } catch {
    type = 'Error'
    message = '(the error could not be read)'
  }
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE)}…`
  return code === undefined ? { type, message } : { type, message, code }
}

/** Checks the shape of a decoded error. @internal */
export function isSerializedError(value: unknown): value is SerializedStepError {
  if (value === null || typeof value !== 'object') return false
  const error = value as Record<string, unknown>
  return (
    typeof error.type === 'string' &&
    typeof error.message === 'string' &&
    (error.code === undefined || typeof error.code === 'string')
  )
}
