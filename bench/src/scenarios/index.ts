// Every scenario, in the order `pnpm bench` runs them.
import type { AnyScenario } from '../lib/scenario.js'
import { concurrentHits, hits } from './hits.js'
import { hotKey } from './hot-key.js'
import { lambda } from './lambda.js'
import { memoryBound, memoryOps } from './memory.js'
import { redisCold } from './redis-cold.js'
import { redisHits } from './redis-hits.js'
import { serde } from './serde.js'
import { sizeModel } from './size-model.js'
import { stampede } from './stampede.js'

export const SCENARIOS: readonly AnyScenario[] = [
  hits,
  concurrentHits,
  stampede,
  hotKey,
  redisHits,
  serde,
  redisCold,
  memoryBound,
  memoryOps,
  sizeModel,
  lambda,
]

/** The scenario with this id. */
export function scenario(id: string): AnyScenario {
  const found = SCENARIOS.find((s) => s.id === id)
  if (found === undefined) throw new Error(`unknown scenario ${id}`)
  return found
}
