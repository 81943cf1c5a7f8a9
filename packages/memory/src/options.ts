import { InvalidConfigurationError, type Milliseconds } from '@memokit/core'
import { parseByteSize, type ByteSize } from './byte-size.js'
import { lambdaMemoryBudget } from './lambda-budget.js'

/** Largest delay `setTimeout` honours. */
const MAX_TIMER_DELAY = 2 ** 31 - 1

/** Default period of the background purge of expired entries. */
export const DEFAULT_PURGE_INTERVAL: Milliseconds = 5_000

/**
 * The byte budget from a constructor option: `undefined` (not given) takes the environment's
 * default (a share of the function's memory on AWS Lambda, none elsewhere), `null` means no
 * byte limit, anything else must be a valid {@link ByteSize}. `Infinity` stands for no limit.
 *
 * @internal
 */
export function initialMaxSizeBytes(value: ByteSize | null | undefined): number {
  if (value === undefined) return lambdaMemoryBudget() ?? Infinity
  return changedMaxSizeBytes(value)
}

/** @internal The byte budget from `changeByteSize`: `null` or `undefined` disable the limit. */
export function changedMaxSizeBytes(value: ByteSize | null | undefined): number {
  if (value === undefined || value === null) return Infinity
  return parseByteSize(value, 'maxSizeBytes')
}

/** @internal `maxItems`: a positive safe integer; `null` or `undefined` disable the limit. */
export function resolveMaxItems(value: number | null | undefined): number {
  if (value === undefined || value === null) return Infinity
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new InvalidConfigurationError(
      `maxItems must be a positive integer (or null for no limit); got ${describe(value)}`,
    )
  return value
}

/**
 * @internal A TTL in milliseconds: a number >= 0 (`Infinity` and `null`/`undefined` mean "never
 * expires", returned as `undefined`). Booleans, strings and `NaN` are refused.
 */
export function resolveTtl(
  name: string,
  value: Milliseconds | null | undefined,
): number | undefined {
  if (value === undefined || value === null || value === Infinity) return undefined
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0)
    throw new InvalidConfigurationError(
      `${name} must be a number of milliseconds >= 0 (or null for no expiry); got ${describe(value)}`,
    )
  return value
}

/** @internal An instant in epoch milliseconds (`Infinity` means never). */
export function resolveInstant(name: string, value: number): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value === -Infinity)
    throw new InvalidConfigurationError(
      `${name} must be an instant in epoch milliseconds; got ${describe(value)}`,
    )
  return value
}

/** @internal `purgeInterval`: a positive number of milliseconds, or `false` for no timer. */
export function resolvePurgeInterval(value: Milliseconds | false | undefined): number | false {
  if (value === undefined) return DEFAULT_PURGE_INTERVAL
  if (value === false) return false
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMER_DELAY)
    throw new InvalidConfigurationError(
      `purgeInterval must be a positive number of milliseconds up to ${MAX_TIMER_DELAY}, or false; got ${describe(value)}`,
    )
  return value
}

/** @internal Checks an optional callback option. */
export function optionalFunction<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new InvalidConfigurationError(`${name} must be a function; got ${describe(value)}`)
  return value
}

/** @internal */
export function describe(value: unknown): string {
  const shown = typeof value === 'string' ? `'${value}'` : String(value)
  return `${shown} (${typeof value})`
}
