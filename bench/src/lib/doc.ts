// Writes results into docs/benchmarks.md. The page is hand-written prose around generated
// blocks (`<!-- bench:<id>:start -->` ... `<!-- bench:<id>:end -->`); only the blocks of the
// scenarios in the results are replaced, so a partial run updates its own tables and nothing else.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { MachineFacts } from './machine.js'
import { formatNumber, markdownTables } from './report.js'
import type { ScenarioResult } from './runner.js'
import type { Mode } from './scenario.js'

/** The results file `pnpm bench` writes. */
export interface RunResults {
  readonly format: 1
  readonly command: string
  readonly mode: Mode
  readonly startedAt: string
  readonly durationMs: number
  readonly machine: MachineFacts & { readonly loadAverageAtEnd: readonly number[] }
  readonly versions: Readonly<Record<string, string>>
  readonly scenarios: readonly ScenarioResult[]
}

const start = (id: string): string => `<!-- bench:${id}:start -->`
const end = (id: string): string => `<!-- bench:${id}:end -->`

function runBlock(run: RunResults): string {
  const m = run.machine
  const lines = [
    `Run of ${run.startedAt.slice(0, 10)} (${run.mode}${run.mode === 'full' ? '' : ' mode: not for publication'}), \`${run.command}\`, ${Math.round(run.durationMs / 1000)} s in all.`,
    '',
    '| machine | |',
    '| --- | --- |',
    `| CPU | ${m.cpu}, ${m.cores} cores |`,
    `| memory | ${m.memoryGiB} GiB |`,
    `| Node.js | ${m.node} (V8 ${m.v8}) |`,
    `| OS | ${m.os} |`,
    `| load average (1, 5, 15 min) | ${m.loadAverageAtStart.join(', ')} at the start; ${m.loadAverageAtEnd.join(', ')} at the end |`,
    '',
    '| library | version |',
    '| --- | --- |',
    ...Object.entries(run.versions).map(([name, version]) => `| ${name} | ${version} |`),
  ]
  return lines.join('\n')
}

function scenarioBlock(result: ScenarioResult, run: RunResults, complete: boolean): string {
  const seconds = formatNumber(result.durationMs / 1000)
  const m = run.machine
  const separate = complete
    ? []
    : [
        `Measured in a separate run (\`${run.command}\`, ${run.startedAt.slice(0, 10)}): ${m.cores} × ${m.cpu}, Node ${m.node}, load average ${m.loadAverageAtStart.join(', ')} at its start.`,
        '',
      ]
  const ratio =
    result.ratio === undefined
      ? ''
      : ` The ratio is the contestant's ${result.columns.find((c) => c.key === result.ratio!.metric)?.label ?? result.ratio.metric} over the floor's, computed per repetition (the two measured seconds apart), then the median over repetitions, with the lowest and highest in brackets.`
  return [
    ...separate,
    `Workload: ${result.workload}.`,
    '',
    `${result.reps} repetition(s) per contestant, each in a fresh process, contestants interleaved; the medians over the repetitions are shown.${ratio} (${seconds} s${run.mode === 'full' ? '' : `, ${run.mode} mode`})`,
    '',
    markdownTables(result),
  ].join('\n')
}

function replaceBlock(text: string, id: string, body: string, heading: string): string {
  const block = `${start(id)}\n${body}\n${end(id)}`
  const from = text.indexOf(start(id))
  const to = text.indexOf(end(id))
  if (from >= 0 && to > from) return text.slice(0, from) + block + text.slice(to + end(id).length)
  return `${text.trimEnd()}\n\n${heading}\n\n${block}\n`
}

const SKELETON = `# Benchmarks

How memokit compares with the libraries users would otherwise pick. See [bench/README.md](../bench/README.md)
for what each scenario is for and how to read the ratios.
`

/**
 * Replaces (or appends) the blocks of the scenarios in `run`. The run facts block (machine,
 * versions) is replaced only when `run` has every scenario (`complete`); otherwise each
 * scenario block it writes names its own run.
 */
export function writeDoc(run: RunResults, path: string, complete: boolean): void {
  let text = existsSync(path) ? readFileSync(path, 'utf8') : SKELETON
  if (complete || !text.includes(start('run')))
    text = replaceBlock(text, 'run', runBlock(run), '## The run')
  for (const result of run.scenarios)
    text = replaceBlock(
      text,
      result.id,
      scenarioBlock(result, run, complete),
      `## ${result.title}\n\n${result.summary}`,
    )
  writeFileSync(path, text)
}
