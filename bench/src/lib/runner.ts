// Runs scenarios: every measurement in a fresh `node` process, contestants interleaved across
// repetitions (each repetition starts one contestant later, so none always runs first or last),
// then medians per contestant and ratios to the floor paired by repetition.
import { fork } from 'node:child_process'
import { CHILD_SCRIPT } from './paths.js'
import type { AnyScenario, Column, Metrics, Mode } from './scenario.js'
import { median, range } from './stats.js'

/** What a measurement process receives (as its first argument, in JSON). */
export interface Job {
  readonly scenario: string
  readonly mode: Mode
  readonly params: unknown
  readonly redisUrl: string | undefined
  readonly cases: readonly { contestant: string; variant?: string; namespace: string }[]
}

/** What a measurement process sends back, once per case. */
export type ChildMessage =
  | { type: 'result'; index: number; metrics: Metrics }
  | { type: 'error'; index: number; message: string }

export interface CaseResult {
  readonly contestant: string
  readonly name: string
  readonly variant?: string
  readonly floor?: boolean
  /** Not measured: why. */
  readonly na?: string
  /** One entry per repetition that succeeded. */
  readonly reps: Metrics[]
  readonly errors: string[]
  /** Median of each metric over the repetitions. */
  readonly median: Metrics
  /** The scenario's ratio metric over the floor's, per repetition: median, lowest, highest. */
  readonly ratio?: { median: number; min: number; max: number }
}

export interface ScenarioResult {
  readonly id: string
  readonly title: string
  readonly summary: string
  readonly workload: string
  readonly reps: number
  readonly mode: Mode
  readonly durationMs: number
  readonly columns: readonly Column[]
  readonly ratio?: AnyScenario['ratio']
  readonly variants?: AnyScenario['variants']
  readonly cases: CaseResult[]
}

export interface RunOptions {
  readonly mode: Mode
  /** Overrides the scenario's repetitions. */
  readonly reps?: number
  /** Measure only these contestant ids (the floor is always kept). */
  readonly only?: readonly string[]
  /** Measure every case of a repetition in one process (the smoke test: fewer start-ups). */
  readonly batch?: boolean
  readonly redisUrl?: string
  /** Extra `node` flags for the measurement processes (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[]
  /** Runs after every measurement process (e.g. FLUSHALL). */
  readonly between?: () => Promise<void>
  readonly progress?: (text: string) => void
}

interface Case {
  contestant: string
  name: string
  variant?: string
  floor?: boolean
  na?: string
}

function casesOf(scenario: AnyScenario, only: readonly string[] | undefined): Case[] {
  const variants = scenario.variants ?? [undefined]
  const cases: Case[] = []
  for (const variant of variants)
    for (const c of scenario.contestants) {
      if (only !== undefined && !c.floor && !only.includes(c.id)) continue
      const na = c.na ?? (variant === undefined ? undefined : c.naIn?.[variant.id])
      cases.push({ contestant: c.id, name: c.name, variant: variant?.id, floor: c.floor, na })
    }
  return cases
}

/** Runs one process with `cases`; resolves with one outcome per case. */
function runProcess(
  scenario: AnyScenario,
  options: RunOptions,
  cases: readonly Case[],
  rep: number,
): Promise<(Metrics | string)[]> {
  const params = scenario.params[options.mode] as unknown
  const job: Job = {
    scenario: scenario.id,
    mode: options.mode,
    params,
    redisUrl: options.redisUrl,
    cases: cases.map((c) => ({
      contestant: c.contestant,
      variant: c.variant,
      namespace: `bench:${scenario.id}:${c.contestant}:${c.variant ?? '-'}:${rep}`,
    })),
  }
  const outcomes: (Metrics | string | undefined)[] = cases.map(() => undefined)
  const limit = (scenario.timeoutMs ?? 120_000) * (options.batch ? cases.length : 1)
  return new Promise((resolve) => {
    const child = fork(CHILD_SCRIPT, [JSON.stringify(job)], {
      execArgv: [...(scenario.nodeArgs ?? []), ...(options.nodeArgs ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const timer = setTimeout(() => {
      for (const [i, o] of outcomes.entries())
        if (o === undefined) outcomes[i] = `timed out after ${limit} ms`
      child.kill('SIGKILL')
    }, limit)
    child.on('message', (message: ChildMessage) => {
      outcomes[message.index] = message.type === 'result' ? message.metrics : message.message
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve(
        outcomes.map(
          (o) =>
            o ?? `the measurement process exited (${signal ?? `code ${code}`}) without a result`,
        ),
      )
    })
  })
}

/** Runs one scenario. */
export async function runScenario(
  scenario: AnyScenario,
  options: RunOptions,
): Promise<ScenarioResult> {
  const started = performance.now()
  const reps = options.reps ?? scenario.reps[options.mode]
  const all = casesOf(scenario, options.only)
  const measured = all.filter((c) => c.na === undefined)
  const outcomes = new Map<Case, { reps: Metrics[]; errors: string[] }>(
    all.map((c) => [c, { reps: [], errors: [] }]),
  )
  // Per repetition, every case's metrics (undefined where it failed), for paired ratios.
  const byRep: Map<Case, Metrics>[] = []
  for (let rep = 0; rep < reps; rep++) {
    const shift = measured.length === 0 ? 0 : rep % measured.length
    const order = [...measured.slice(shift), ...measured.slice(0, shift)]
    const groups = options.batch ? [order] : order.map((c) => [c])
    const results = new Map<Case, Metrics>()
    for (const group of groups) {
      const answers = await runProcess(scenario, options, group, rep)
      for (const [i, c] of group.entries()) {
        const answer = answers[i]!
        const record = outcomes.get(c)!
        if (typeof answer === 'string') record.errors.push(answer)
        else {
          record.reps.push(answer)
          results.set(c, answer)
        }
      }
      await options.between?.()
      options.progress?.('.')
    }
    byRep.push(results)
    options.progress?.(` ${scenario.id}: repetition ${rep + 1}/${reps} done\n`)
  }

  const cases: CaseResult[] = all.map((c) => {
    const record = outcomes.get(c)!
    const keys = [...new Set(record.reps.flatMap((m) => Object.keys(m)))]
    const medians: Metrics = {}
    for (const key of keys)
      medians[key] = median(record.reps.map((m) => m[key]).filter((v) => v !== undefined))
    let ratio: CaseResult['ratio']
    const floor = all.find((f) => f.floor && f.variant === c.variant && f.na === undefined)
    if (scenario.ratio !== undefined && floor !== undefined && c.na === undefined) {
      const metric = scenario.ratio.metric
      const ratios = byRep.flatMap((results) => {
        const mine = results.get(c)?.[metric]
        const theirs = results.get(floor)?.[metric]
        return mine === undefined || theirs === undefined ? [] : [mine / theirs]
      })
      if (ratios.length > 0) {
        const [min, max] = range(ratios)
        ratio = { median: median(ratios), min, max }
      }
    }
    return {
      contestant: c.contestant,
      name: c.name,
      ...(c.variant === undefined ? {} : { variant: c.variant }),
      ...(c.floor ? { floor: true } : {}),
      ...(c.na === undefined ? {} : { na: c.na }),
      reps: record.reps,
      errors: record.errors,
      median: medians,
      ...(ratio === undefined ? {} : { ratio }),
    }
  })
  return {
    id: scenario.id,
    title: scenario.title,
    summary: scenario.summary,
    workload: scenario.describe(scenario.params[options.mode]),
    reps,
    mode: options.mode,
    durationMs: performance.now() - started,
    columns: scenario.columns,
    ...(scenario.ratio === undefined ? {} : { ratio: scenario.ratio }),
    ...(scenario.variants === undefined ? {} : { variants: scenario.variants }),
    cases,
  }
}
