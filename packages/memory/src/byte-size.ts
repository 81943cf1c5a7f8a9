import { InvalidConfigurationError } from '@memokit/core'

/**
 * A byte count: a positive integer number of bytes, or a string of a decimal quantity followed
 * by one of `K`, `M`, `G`, `T` (case-insensitive), each a binary multiple: `'512K'`, `'1.5M'`,
 * `'128M'`, `'2G'`.
 */
export type ByteSize = number | string

/** The multiplier of each size suffix: binary multiples (KiB, MiB, GiB, TiB). */
export const BYTE_SIZE_SUFFIXES: Readonly<Record<'K' | 'M' | 'G' | 'T', number>> = Object.freeze({
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
})

const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)([KMGT])$/i

/**
 * Turns a {@link ByteSize} into a whole number of bytes (fractions are rounded down:
 * `'1.5K'` is 1536).
 *
 * The rules are faas-cache-dict 0.9.0's: a number must be a positive safe integer (so `0`,
 * negatives, fractions, `NaN` and `Infinity` are refused); a string must be a plain decimal
 * quantity and one suffix, nothing else (so `''`, `'K'`, `'-1K'`, `'1024'`, `'128MB'`,
 * `'1e3K'`, `'infK'` are refused), and must come to at least one byte (`'0.0001K'` is
 * refused). Booleans and every other type are refused.
 *
 * @param name the option being parsed, for the error message
 * @throws InvalidConfigurationError naming the option and the value received
 */
export function parseByteSize(value: ByteSize, name = 'maxSizeBytes'): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return value
    throw invalid(name, value, 'a number of bytes must be a positive integer')
  }
  if (typeof value === 'string') {
    const match = QUANTITY.exec(value)
    if (match === null)
      throw invalid(
        name,
        value,
        "a size string is a decimal quantity and one suffix K, M, G or T (binary multiples), like '128M'",
      )
    const quantity = Number(match[1])
    const suffix = (match[2] as string).toUpperCase() as keyof typeof BYTE_SIZE_SUFFIXES
    const bytes = Math.floor(quantity * BYTE_SIZE_SUFFIXES[suffix])
    if (!Number.isSafeInteger(bytes)) throw invalid(name, value, 'the size is too large')
    if (bytes < 1) throw invalid(name, value, 'the size must come to at least one byte')
    return bytes
  }
  throw invalid(name, value, "expected a number of bytes or a string like '128M'")
}

function invalid(name: string, value: unknown, why: string): InvalidConfigurationError {
  const shown = typeof value === 'string' ? `'${value}'` : String(value)
  return new InvalidConfigurationError(`${name}: ${why}; got ${shown} (${typeof value})`)
}
