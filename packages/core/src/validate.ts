import { InvalidConfigurationError } from './errors.js'

/** @internal Checks a duration option: a finite number >= 0 (or > 0 when `positive`). */
export function requireDuration(name: string, value: unknown, positive = false): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (positive && value === 0))
    throw new InvalidConfigurationError(
      `${name} must be a ${positive ? 'positive' : 'non-negative'} number of milliseconds, got ${String(value)}`,
    )
  return value
}

/** @internal Checks that `value` has every method in `methods`. */
export function requireMethods<T>(name: string, value: unknown, methods: readonly string[]): T {
  if (value === null || typeof value !== 'object')
    throw new InvalidConfigurationError(`${name} must be an object, got ${String(value)}`)
  for (const method of methods) {
    if (typeof (value as Record<string, unknown>)[method] !== 'function')
      throw new InvalidConfigurationError(`${name} must implement ${method}()`)
  }
  return value as T
}

/**
 * @internal Checks an options argument: `undefined` means "all defaults", anything but an
 * object is refused (`null` would otherwise fail later with a bare TypeError).
 */
export function requireOptions<T extends object>(name: string, options: T | undefined): T {
  if (options === undefined) return {} as T
  if (options === null || typeof options !== 'object')
    throw new InvalidConfigurationError(`${name} options must be an object, got ${String(options)}`)
  return options
}

/** @internal How a bad option value is shown in an error message. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object' && value !== null) return 'an object'
  return String(value)
}

/** @internal Checks an optional option against a `typeof` kind. */
export function requireTypeOf(
  name: string,
  value: unknown,
  kind: 'boolean' | 'string' | 'function',
): void {
  if (value !== undefined && typeof value !== kind)
    throw new InvalidConfigurationError(`${name} must be a ${kind}, got ${describeValue(value)}`)
}

/** @internal Checks an optional count: an integer >= 1, or Infinity for "no limit". */
export function requireCount(name: string, value: unknown): void {
  if (value === undefined || value === Infinity) return
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new InvalidConfigurationError(
      `${name} must be a positive integer (or Infinity), got ${describeValue(value)}`,
    )
}

/** @internal Checks the key-encoding limits of an options object. */
export function requireLimits(options: {
  maxDepth?: unknown
  maxNodes?: unknown
  maxLength?: unknown
}): void {
  requireCount('maxDepth', options.maxDepth)
  requireCount('maxNodes', options.maxNodes)
  requireCount('maxLength', options.maxLength)
}
