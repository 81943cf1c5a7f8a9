// The benchmark runner: `pnpm bench [options]` (the root script builds first, then runs this).
//
//   --scenario <id>[,<id>]  run only these scenarios (repeatable; default: all)
//   --only <id>[,<id>]      measure only these contestants (the floor is always measured)
//   --quick                 fewer repetitions and shorter samples (to check a change)
//   --smoke                 tiny counts, one process per scenario (the smoke test)
//   --reps <n>              repetitions per contestant (overrides the scenario's)
//   --out <file>            results file (default bench/results/latest.json)
//   --doc [file]            then regenerate docs/benchmarks.md (or <file>) from the results
//   --profile [dir]         run measurement processes with --cpu-prof (default bench/profiles)
//   --node-flags "<flags>"  extra node flags for the measurement processes (e.g. --no-turbo-inlining)
//   --list                  list the scenarios and their contestants
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'
import { writeDoc, type RunResults } from './lib/doc.js'
import { libraryVersions, machineFacts } from './lib/machine.js'
import { BENCH_DIR, DEFAULT_DOC, DEFAULT_RESULTS } from './lib/paths.js'
import { printScenario } from './lib/report.js'
import { runScenario, type ScenarioResult } from './lib/runner.js'
import type { Mode } from './lib/scenario.js'
import { SCENARIOS } from './scenarios/index.js'

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    only: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    reps: { type: 'string' },
    out: { type: 'string' },
    doc: { type: 'string' },
    profile: { type: 'string' },
    'node-flags': { type: 'string' },
    list: { type: 'boolean', default: false },
  },
  allowPositionals: false,
  // `--doc` and `--profile` may come without a value.
  args: process.argv.slice(2).flatMap((arg, i, all) => {
    const valueless =
      (arg === '--doc' || arg === '--profile') && (all[i + 1] ?? '--').startsWith('--')
    return valueless ? [arg, ''] : [arg]
  }),
})

const split = (list: string[] | undefined): string[] | undefined =>
  list?.flatMap((item) => item.split(',')).filter((item) => item !== '')

if (values.list) {
  for (const s of SCENARIOS) {
    console.log(`${s.id.padEnd(12)} ${s.title}`)
    for (const c of s.contestants)
      console.log(`${''.padEnd(14)}${c.id.padEnd(28)}${c.na === undefined ? '' : 'n/a'}`)
  }
  process.exit(0)
}

const mode: Mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full'
const wanted = split(values.scenario)
const unknown = wanted?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? []
if (unknown.length > 0) {
  console.error(
    `unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`,
  )
  process.exit(2)
}
const selected = SCENARIOS.filter((s) => wanted === undefined || wanted.includes(s.id))
const reps = values.reps === undefined ? undefined : Number(values.reps)
if (reps !== undefined && !(Number.isInteger(reps) && reps > 0)) {
  console.error(`--reps must be a positive integer, got ${values.reps}`)
  process.exit(2)
}
const out = resolve(values.out ?? DEFAULT_RESULTS)
const nodeArgs: string[] = []
if (values.profile !== undefined) {
  const dir = resolve(values.profile === '' ? join(BENCH_DIR, 'profiles') : values.profile)
  mkdirSync(dir, { recursive: true })
  nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=50')
}

if (values['node-flags'] !== undefined)
  nodeArgs.push(...values['node-flags'].split(/\s+/).filter((flag) => flag !== ''))

const started = performance.now()
const startedAt = new Date().toISOString()
const machine = machineFacts()
const versions = libraryVersions()
console.log(
  `memokit benchmarks (${mode}): ${selected.map((s) => s.id).join(', ')}\n` +
    `${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}; ` +
    `load average ${machine.loadAverageAtStart.join(' ')}`,
)

let server: RedisServer | undefined
const results: ScenarioResult[] = []
let failed = false
try {
  if (selected.some((s) => s.needsRedis)) server = await startRedisServer()
  for (const scenario of selected) {
    const redis = scenario.needsRedis ? server : undefined
    const result = await runScenario(scenario, {
      mode,
      reps,
      only: split(values.only),
      batch: mode === 'smoke',
      redisUrl: redis?.url,
      nodeArgs,
      between: redis === undefined ? undefined : async () => void (await redis.cli(['FLUSHALL'])),
      progress: (text) => process.stderr.write(text),
    })
    printScenario(result)
    results.push(result)
    if (result.cases.some((c) => c.na === undefined && c.errors.length > 0)) failed = true
  }
} finally {
  await server?.stop()
}

const run: RunResults = {
  format: 1,
  command: `pnpm bench${process.argv.slice(2).length > 0 ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
  mode,
  startedAt,
  durationMs: performance.now() - started,
  machine: { ...machine, loadAverageAtEnd: loadavg().map((n) => Math.round(n * 100) / 100) },
  versions,
  scenarios: results,
}
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, `${JSON.stringify(run, null, 2)}\n`)
console.log(`\nresults: ${out} (${(run.durationMs / 1000).toFixed(0)} s in all)`)
if (values.doc !== undefined) {
  const doc = resolve(values.doc === '' ? DEFAULT_DOC : values.doc)
  writeDoc(run, doc, selected.length === SCENARIOS.length && values.only === undefined)
  console.log(`updated ${doc}`)
}
process.exit(failed ? 1 : 0)
