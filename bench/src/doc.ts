// Regenerates docs/benchmarks.md from a results file, without measuring anything:
//   node bench/dist/doc.js [--results bench/results/latest.json] [--doc docs/benchmarks.md]
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { writeDoc, type RunResults } from './lib/doc.js'
import { DEFAULT_DOC, DEFAULT_RESULTS } from './lib/paths.js'
import { SCENARIOS } from './scenarios/index.js'

const { values } = parseArgs({
  options: { results: { type: 'string' }, doc: { type: 'string' } },
})
const results = resolve(values.results ?? DEFAULT_RESULTS)
const doc = resolve(values.doc ?? DEFAULT_DOC)
const run = JSON.parse(readFileSync(results, 'utf8')) as RunResults
const complete = SCENARIOS.every((s) => run.scenarios.some((r) => r.id === s.id))
writeDoc(run, doc, complete && !run.command.includes('--only'))
console.log(`updated ${doc} from ${results}`)
