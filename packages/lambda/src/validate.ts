import type { LambdaClient } from '@aws-sdk/client-lambda'
import { InvalidConfigurationError } from '@memokit/core'

/** @internal Checks `lambdaClient`: an object with `send()` (a `LambdaClient`). */
export function checkLambdaClient(value: unknown): LambdaClient {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { send?: unknown }).send !== 'function'
  )
    throw new InvalidConfigurationError(
      `lambdaClient must be a LambdaClient from @aws-sdk/client-lambda, got ${describe(value)}`,
    )
  return value as LambdaClient
}

/** @internal Checks `functionName`: a non-empty string. */
export function checkFunctionName(value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new InvalidConfigurationError(
      `functionName must be a non-empty string, got ${describe(value)}`,
    )
  return value
}

/** @internal Checks `qualifier`: absent, or a non-empty string. */
export function checkQualifier(value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '')
    throw new InvalidConfigurationError(
      `qualifier must be a non-empty string (a version or alias) or left out, got ${describe(value)}`,
    )
  return value
}

/** @internal Checks an optional callback option. */
export function checkFunction<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new InvalidConfigurationError(`${name} must be a function, got ${describe(value)}`)
  return value
}

/** @internal Checks `maxPayloadBytes`: a positive integer. */
export function checkMaxPayloadBytes(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
    throw new InvalidConfigurationError(
      `maxPayloadBytes must be a positive whole number of bytes, got ${describe(value)}`,
    )
  return value
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (value !== null && typeof value === 'object')
    return `an object (${value.constructor?.name ?? 'Object'})`
  return String(value)
}
