import { randomUUID } from 'node:crypto'
import { InvalidConfigurationError } from '@memokit/core'

const UID = /^[A-Za-z0-9_-]{1,128}$/

/** A new uid: a random UUID as 32 hex digits without dashes, as the original. @internal */
export function newUid(): string {
  return randomUUID().replaceAll('-', '')
}

/** True for a usable uid: 1 to 128 letters, digits, `_` or `-` (safe in a Redis hash tag). @internal */
export function isUid(value: unknown): value is string {
  return typeof value === 'string' && UID.test(value)
}

/** Checks a uid given by the caller. @internal */
export function checkUid(name: string, value: unknown): string {
  if (!isUid(value))
    throw new InvalidConfigurationError(
      `${name} must be 1 to 128 letters, digits, _ or -, got ${describe(value)}`,
    )
  return value
}

/** A short description of a value for error messages (never its full content). @internal */
export function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  if (typeof value === 'function') return 'a function'
  if (value !== null && typeof value === 'object')
    return `an object (${(value as { constructor?: { name?: string } }).constructor?.name ?? 'null prototype'})`
  return String(value)
}
