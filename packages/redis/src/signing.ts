import { createHmac, timingSafeEqual } from 'node:crypto'
import { InvalidConfigurationError } from '@memokit/core'

/** Bytes of the HMAC-SHA-256 tag appended to a signed envelope. */
const TAG = 32
/** The shortest key accepted (bytes). */
const MIN_KEY_BYTES = 16

/** A secret for signing: a string (its UTF-8 bytes) or bytes. */
export type SigningKey = string | Uint8Array

/**
 * Signs memokit's envelopes with HMAC-SHA-256 and checks them, for a Redis that others can
 * write to: the tag covers the whole envelope (format version, kind, the full Redis name and
 * the payload, which holds the entry's instants), so a value planted or copied by anyone
 * without the key is refused as corrupt, even when it is well formed.
 *
 * @internal
 */
export class EnvelopeSigner {
  readonly #key: Buffer

  constructor(key: unknown) {
    if (typeof key !== 'string' && !(key instanceof Uint8Array))
      throw new InvalidConfigurationError('signingKey must be a string or a Uint8Array')
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key)
    if (bytes.length < MIN_KEY_BYTES)
      throw new InvalidConfigurationError(
        `signingKey must be at least ${MIN_KEY_BYTES} bytes (32 random bytes recommended), got ${bytes.length}`,
      )
    this.#key = bytes
  }

  /** The envelope followed by its tag. */
  sign(envelope: Buffer): Buffer {
    return Buffer.concat([envelope, this.#tag(envelope)])
  }

  /** The envelope inside `signed`, or `undefined` when its tag is missing or wrong. */
  open(signed: Buffer): Buffer | undefined {
    if (signed.length <= TAG) return undefined
    const envelope = signed.subarray(0, signed.length - TAG)
    const tag = signed.subarray(signed.length - TAG)
    return timingSafeEqual(tag, this.#tag(envelope)) ? envelope : undefined
  }

  #tag(envelope: Buffer): Buffer {
    return createHmac('sha256', this.#key).update(envelope).digest()
  }
}

/** @internal `new EnvelopeSigner(key)`, or `undefined` when no key is given. */
export function signerOf(key: unknown): EnvelopeSigner | undefined {
  return key === undefined ? undefined : new EnvelopeSigner(key)
}
