// faas-cache-dict's test_user_memory_size (0.1.2 and the 0.9.0 additions), ported.
import { InvalidConfigurationError } from '@memokit/core'
import { BYTE_SIZE_SUFFIXES, parseByteSize } from '@memokit/memory'

const KiB = 1024
const MiB = 1024 ** 2
const GiB = 1024 ** 3
const TiB = 1024 ** 4

function rejects(value: unknown): InvalidConfigurationError {
  let caught: unknown
  try {
    parseByteSize(value as string)
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(InvalidConfigurationError)
  expect((caught as InvalidConfigurationError).code).toBe('E_INVALID_CONFIGURATION')
  return caught as InvalidConfigurationError
}

describe('parseByteSize', () => {
  it('accepts positive integer byte counts as they are', () => {
    expect(parseByteSize(10)).toBe(10)
    expect(parseByteSize(100_000)).toBe(100_000)
  })

  it('refuses zero, negative, fractional and non-finite byte counts', () => {
    for (const value of [0, -1, 1.5, 0.5, NaN, Infinity, -Infinity, 2 ** 60]) rejects(value)
  })

  it.each([
    ['K', KiB],
    ['M', MiB],
    ['G', GiB],
    ['T', TiB],
  ])('reads %s as a binary multiple', (suffix, multiple) => {
    expect(parseByteSize(`1${suffix}`)).toBe(multiple)
    expect(parseByteSize(`1.0${suffix}`)).toBe(multiple)
    expect(parseByteSize(`1.5${suffix}`)).toBe(multiple * 1.5)
    expect(parseByteSize(`100${suffix}`)).toBe(multiple * 100)
    expect(parseByteSize(`1${suffix.toLowerCase()}`)).toBe(multiple)
    rejects(suffix)
    rejects(`-1${suffix}`)
  })

  it('accepts 1000 of the K, M and G suffixes', () => {
    expect(parseByteSize('1000K')).toBe(1000 * KiB)
    expect(parseByteSize('1000M')).toBe(1000 * MiB)
    expect(parseByteSize('1000G')).toBe(1000 * GiB)
    expect(BYTE_SIZE_SUFFIXES).toEqual({ K: KiB, M: MiB, G: GiB, T: TiB })
  })

  it('always returns a whole number of bytes (fractions are rounded down)', () => {
    expect(parseByteSize('1.5M')).toBe(1_572_864)
    expect(parseByteSize('2.7G')).toBe(Math.floor(2.7 * GiB))
    expect(parseByteSize('0.001K')).toBe(1)
    expect(Number.isInteger(parseByteSize('2.7G'))).toBe(true)
  })

  it('refuses unknown suffixes and strings without a suffix', () => {
    for (const value of ['1X', '1Z', '100Q', '1024', '128MB', '128Mi', '1B']) rejects(value)
  })

  it("refuses '', a bare suffix, non-finite quantities and quantities that round to zero", () => {
    for (const value of ['', 'K', 'infM', 'nanK', 'InfinityK', '0.0001K', '0K', '0M'])
      rejects(value)
  })

  it('refuses spaces, signs, exponents and other number syntaxes', () => {
    for (const value of [' 2 K', '2K ', '+1K', '1e3K', '0x10K', '1,5K', '1_000K']) rejects(value)
  })

  it('refuses booleans and every other type, naming the option and the value', () => {
    for (const value of [true, false, null, undefined, {}, [], 10n, Symbol('s')]) rejects(value)
    expect(rejects(true).message).toMatch(/maxSizeBytes.*true \(boolean\)/)
    expect(rejects('1X').message).toContain("'1X'")
  })
})
