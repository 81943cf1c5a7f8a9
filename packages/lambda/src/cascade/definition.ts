import { CorruptCascadeDataError } from './errors.js'
import { isUid } from './ids.js'

/**
 * Why a step runs: `root` (the first step of a chain started outside any step), `then` (its
 * parent completed), `catch` (its parent failed), `proceed` (a chain started from inside a
 * running step, which counts as its parent for the hop limit and shares its chain).
 */
export type StepTrigger = 'root' | 'then' | 'catch' | 'proceed'

/**
 * What the cascade stores about one step before anything is invoked: where it runs, what it
 * runs, its payload, its callbacks, and its place in the chain. @internal
 */
export interface StepDefinition {
  readonly uid: string
  /** The chain's uid (its first step's uid): the uid of the chain's shared memory page. */
  readonly chain: string
  readonly parent: string | undefined
  readonly trigger: StepTrigger
  /** 1 for the first invocation of a chain, parent's hop + 1 after that. */
  readonly hop: number
  readonly functionName: string
  readonly qualifier: string | undefined
  readonly command: string
  readonly payload: unknown
  readonly then: readonly string[]
  readonly catch: readonly string[]
}

const TRIGGERS = new Set<unknown>(['root', 'then', 'catch', 'proceed'])
const MAX_CALLBACKS = 1_000

/**
 * Checks a decoded definition field by field (it comes from Redis, which anyone with access
 * can write) and returns a fresh object holding only the known fields. @internal
 */
export function checkDefinition(value: unknown, uid: string, where: string): StepDefinition {
  const fail = (problem: string): never => {
    throw new CorruptCascadeDataError(where, `the step definition ${problem}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('is not an object')
  const def = value as Record<string, unknown>
  if (def.uid !== uid) fail('belongs to another step')
  if (!isUid(def.chain)) fail('has no valid chain uid')
  if (def.parent !== undefined && !isUid(def.parent)) fail('has an invalid parent uid')
  if (!TRIGGERS.has(def.trigger)) fail('has an unknown trigger')
  if (!Number.isSafeInteger(def.hop) || (def.hop as number) < 1) fail('has an invalid hop')
  if (
    typeof def.functionName !== 'string' ||
    def.functionName === '' ||
    def.functionName.length > 256
  )
    fail('has an invalid function name')
  if (def.qualifier !== undefined && typeof def.qualifier !== 'string')
    fail('has an invalid qualifier')
  if (typeof def.command !== 'string' || def.command === '' || def.command.length > 256)
    fail('has an invalid command')
  const uids = (list: unknown, name: string): string[] => {
    if (!Array.isArray(list) || list.length > MAX_CALLBACKS || !list.every(isUid))
      fail(`has an invalid ${name} list`)
    return [...(list as string[])]
  }
  return {
    uid,
    chain: def.chain as string,
    parent: def.parent as string | undefined,
    trigger: def.trigger as StepTrigger,
    hop: def.hop as number,
    functionName: def.functionName as string,
    qualifier: def.qualifier as string | undefined,
    command: def.command as string,
    payload: def.payload,
    then: uids(def.then, 'then'),
    catch: uids(def.catch, 'catch'),
  }
}
