import { createHash } from 'node:crypto'
import {
  EncodedMethodNameAndArgsKeyExtractor,
  EncodedMethodReferenceAndArgsKeyExtractor,
  KeyDerivationError,
  MethodReference,
} from '@memokit/core'
import { goldenInputs, REJECTED_INPUTS } from './inputs.js'

/** The keys of one golden input, or the fact that it is rejected. */
export type GoldenCase =
  | {
      id: string
      /** `EncodedMethodNameAndArgsKeyExtractor()` for `Index.search`. */
      name: string
      /** The same with `version: '2'` and `instanceKey` (the receiver's tenant, "acme"). */
      versioned: string
      /**
       * `EncodedMethodReferenceAndArgsKeyExtractor()` for `Index.search` called without a
       * receiver. Its first part, the method's process-local number, is written `#`; keys longer
       * than 512 characters are recorded as `sha256:<hex>` of the key.
       */
      reference: string
    }
  | { id: string; rejected: 'KeyDerivationError' }

/** The golden key file (`reliability/golden/keys-v1.json`). */
export interface GoldenFile {
  format: 'memokit-golden-keys'
  version: 1
  note: string
  cases: GoldenCase[]
}

export const GOLDEN_NOTE =
  'Keys memokit derives for these inputs. A difference means stored entries (Redis, any shared ' +
  'storage) would silently stop being found after an upgrade. Regenerate only on purpose, with ' +
  'a new key format version: pnpm golden:update (see docs/reliability.md).'

function shortened(key: string): string {
  return key.length > 512 ? `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}` : key
}

/** Computes the golden cases with the key extractors of the running memokit. */
export function computeGoldenCases(): GoldenCase[] {
  const method = new MethodReference('search', { className: 'Index' })
  const name = new EncodedMethodNameAndArgsKeyExtractor()
  const versioned = new EncodedMethodNameAndArgsKeyExtractor({
    version: '2',
    instanceKey: (self) => (self as { tenant: string }).tenant,
  })
  const reference = new EncodedMethodReferenceAndArgsKeyExtractor()
  const localPrefix = `${method.id}:`
  const receiver = { tenant: 'acme' }
  const cases: GoldenCase[] = []
  for (const input of goldenInputs()) {
    const referenceKey = reference.formatKey(method, input.args())
    if (!referenceKey.startsWith(localPrefix))
      throw new Error(`unexpected reference key layout: ${referenceKey.slice(0, 40)}`)
    cases.push({
      id: input.id,
      name: name.formatKey(method, input.args()),
      versioned: versioned.formatKey(method, input.args(), receiver),
      reference: shortened(`#:${referenceKey.slice(localPrefix.length)}`),
    })
  }
  for (const input of REJECTED_INPUTS) {
    for (const derive of [
      () => name.formatKey(method, input.args()),
      () => versioned.formatKey(method, input.args(), receiver),
      () => reference.formatKey(method, input.args()),
    ]) {
      let error: unknown
      try {
        derive()
      } catch (caught) {
        error = caught
      }
      if (!(error instanceof KeyDerivationError))
        throw new Error(`${input.id} was not rejected with a KeyDerivationError`)
    }
    cases.push({ id: input.id, rejected: 'KeyDerivationError' })
  }
  return cases
}

/** The golden file for the running memokit. */
export function goldenFile(): GoldenFile {
  return {
    format: 'memokit-golden-keys',
    version: 1,
    note: GOLDEN_NOTE,
    cases: computeGoldenCases(),
  }
}

/** What differs between the recorded cases and the computed ones (empty: no drift). */
export function goldenDrift(recorded: GoldenFile, computed: readonly GoldenCase[]): string[] {
  const drift: string[] = []
  if (recorded.format !== 'memokit-golden-keys' || recorded.version !== 1)
    drift.push(`unknown golden file format ${String(recorded.format)} v${String(recorded.version)}`)
  const byId = new Map(computed.map((c) => [c.id, c]))
  for (const expected of recorded.cases) {
    const actual = byId.get(expected.id)
    if (actual === undefined) drift.push(`${expected.id}: no longer computed`)
    else if (JSON.stringify(actual) !== JSON.stringify(expected))
      drift.push(
        `${expected.id}: recorded ${JSON.stringify(expected)}, now ${JSON.stringify(actual)}`,
      )
    byId.delete(expected.id)
  }
  for (const id of byId.keys()) drift.push(`${id}: not in the golden file`)
  return drift
}
