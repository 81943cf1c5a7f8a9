import { constants as bufferConstants } from 'node:buffer'
import {
  brotliCompressSync,
  brotliDecompressSync,
  deflateSync,
  gunzipSync,
  gzipSync,
  inflateSync,
} from 'node:zlib'
import type { CacheEntry } from './cache-entry.js'
import { callable } from './callable.js'
import { InvalidConfigurationError, SerDeError } from './errors.js'
import type { SerDe } from './serde.js'
import { requireMethods, requireOptions } from './validate.js'

/** How {@link EncodingSerDe} transforms the bytes of the SerDe it wraps. */
export type BinaryEncoding = 'gzip' | 'deflate' | 'brotli' | 'base64'

export interface EncodingSerDeOptions {
  /** Largest decoded size accepted (guards against decompression bombs). @default 64 MiB */
  maxDecodedBytes?: number
}

const MAX_LENGTH = bufferConstants.MAX_LENGTH
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * Wraps another SerDe and encodes its output: `gzip`, `deflate` (zlib) or `brotli` compression,
 * or `base64` text. `new EncodingSerDe(new SuperJsonSerDe(), 'brotli')`.
 */
class EncodingSerDeImpl implements SerDe {
  readonly serde: SerDe
  readonly encoding: BinaryEncoding
  readonly #maxDecodedBytes: number

  constructor(serde: SerDe, encoding: BinaryEncoding = 'deflate', options?: EncodingSerDeOptions) {
    options = requireOptions('EncodingSerDe', options)
    const max = options.maxDecodedBytes
    if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_LENGTH))
      throw new InvalidConfigurationError(
        `maxDecodedBytes must be an integer from 1 to ${MAX_LENGTH}, got ${String(max)}`,
      )
    this.serde = requireMethods<SerDe>('serde', serde, ['serialize', 'deserialize'])
    if (!['gzip', 'deflate', 'brotli', 'base64'].includes(encoding))
      throw new InvalidConfigurationError(
        `encoding must be 'gzip', 'deflate', 'brotli' or 'base64', got ${String(encoding)}`,
      )
    this.encoding = encoding
    this.#maxDecodedBytes = options.maxDecodedBytes ?? 64 * 1024 * 1024
  }

  serialize(entry: CacheEntry): Uint8Array | string {
    const inner = this.serde.serialize(entry)
    const bytes = typeof inner === 'string' ? Buffer.from(inner, 'utf8') : inner
    switch (this.encoding) {
      case 'gzip':
        return gzipSync(bytes)
      case 'deflate':
        return deflateSync(bytes)
      case 'brotli':
        return brotliCompressSync(bytes)
      case 'base64':
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
    }
  }

  deserialize(data: Uint8Array | string): CacheEntry {
    return this.serde.deserialize(this.#decode(data))
  }

  #decode(data: Uint8Array | string): Buffer {
    if (this.encoding === 'base64') {
      const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1')
      if (text.length % 4 !== 0 || !BASE64.test(text))
        throw new SerDeError('data is not valid base64')
      return Buffer.from(text, 'base64')
    }
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data
    const options = { maxOutputLength: this.#maxDecodedBytes }
    try {
      switch (this.encoding) {
        case 'gzip':
          return gunzipSync(bytes, options)
        case 'deflate':
          return inflateSync(bytes, options)
        case 'brotli':
          return brotliDecompressSync(bytes, options)
      }
    } catch (error) {
      throw new SerDeError(
        `data could not be decompressed (${this.encoding}): ${(error as Error).message}`,
        {
          cause: error,
        },
      )
    }
  }
}
export const EncodingSerDe = callable(EncodingSerDeImpl)
export type EncodingSerDe = EncodingSerDeImpl
