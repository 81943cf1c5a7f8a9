import { createHash, randomBytes } from 'node:crypto'

/**
 * A self-certifying value (the idea of lru-cache's `load-check` test): it names the key it
 * was computed for, which computation produced it (`gen`), when (`at`, epoch ms), and carries
 * a SHA-256 over all of that and the payload. A value served for the wrong key, a corrupted
 * or truncated value, or a value older than it may be is then detected mechanically.
 */
export interface CertifiedValue {
  readonly key: string
  /** `<process name>:<computation number in that process>`. */
  readonly gen: string
  /** When it was computed (epoch ms). */
  readonly at: number
  readonly payload: string
  /** SHA-256 (hex) of `key`, `gen`, `at` and `payload`. */
  readonly sha256: string
}

function digest(key: string, gen: string, at: number, payload: string): string {
  return createHash('sha256').update(`${key}\u0000${gen}\u0000${at}\u0000${payload}`).digest('hex')
}

/** Makes a certified value for `key` with `payloadBytes` random bytes of payload (hex). */
export function certify(
  key: string,
  gen: string,
  payloadBytes = 32,
  at = Date.now(),
): CertifiedValue {
  const payload = randomBytes(Math.ceil(payloadBytes / 2))
    .toString('hex')
    .slice(0, payloadBytes)
  return { key, gen, at, payload, sha256: digest(key, gen, at, payload) }
}

/** What is wrong with `value` as the value of `key`, or `undefined` when it is right. */
export function certificateProblem(key: string, value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return `not an object: ${typeof value}`
  const v = value as Partial<CertifiedValue>
  if (typeof v.key !== 'string' || typeof v.gen !== 'string' || typeof v.payload !== 'string')
    return 'missing fields'
  if (typeof v.at !== 'number' || typeof v.sha256 !== 'string') return 'missing fields'
  if (v.key !== key) return `value of another key (${v.key.slice(0, 40)})`
  if (digest(v.key, v.gen, v.at, v.payload) !== v.sha256) return 'digest mismatch'
  return undefined
}
