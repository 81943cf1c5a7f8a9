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
