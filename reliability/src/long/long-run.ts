// The long part of the reliability suite: `pnpm soak` (see docs/reliability.md).
//
//   pnpm soak                              fuzz 3 min, faults 10 s each, soak 10 min (~17 min)
//   pnpm soak --minutes 2                  a shorter soak
//   pnpm soak --only soak,faults           some stages only (fuzz, faults, soak)
//   pnpm soak --fuzz-minutes 1 --fault-seconds 5 --restart-seconds 60
//
// It prints progress and writes reliability/results/<time>/summary.json and summary.md.
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FAULTS, faultTable, runFaults, type FaultRunReport } from '../faults/fault-run.js'
import { round } from '../figures.js'
import { runSoak, soakTables, type SoakReport } from '../soak/soak.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const packageRoot = join(here, '..', '..')
const repositoryRoot = join(packageRoot, '..')
const workerScript = join(packageRoot, 'dist', 'load', 'load-worker.js')

interface Arguments {
  minutes: number
  fuzzMinutes: number
  faultSeconds: number
  restartSeconds: number
  only: Set<string>
}

function parseArguments(argv: string[]): Arguments {
  const args: Arguments = {
    minutes: 10,
    fuzzMinutes: 3,
    faultSeconds: 10,
    restartSeconds: 120,
    only: new Set(['fuzz', 'faults', 'soak']),
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    const number = (): number => {
      const n = Number(value)
      if (value === undefined || !Number.isFinite(n) || n <= 0)
        throw new Error(`${flag} needs a positive number, got ${String(value)}`)
      i++
      return n
    }
    if (flag === '--minutes') args.minutes = number()
    else if (flag === '--fuzz-minutes') args.fuzzMinutes = number()
    else if (flag === '--fault-seconds') args.faultSeconds = number()
    else if (flag === '--restart-seconds') args.restartSeconds = number()
    else if (flag === '--only') {
      if (value === undefined) throw new Error('--only needs a list: fuzz,faults,soak')
      args.only = new Set(value.split(','))
      for (const stage of args.only)
        if (!['fuzz', 'faults', 'soak'].includes(stage)) throw new Error(`unknown stage ${stage}`)
      i++
    } else if (flag === '--') continue
    else throw new Error(`unknown option ${flag}`)
  }
  return args
}

const started = Date.now()
const log = (line: string): void => {
  const elapsed = (Date.now() - started) / 1000
  console.log(
    `[${String(Math.floor(elapsed / 60)).padStart(2, '0')}:${String(Math.floor(elapsed % 60)).padStart(2, '0')}] ${line}`,
  )
}

interface FuzzResult {
  name: string
  runs: number
  seed: number
  chunks: number
  failed: boolean
  seconds: number
}

/** The fuzz and model-based properties (11), each for its share of the budget, through jest. */
async function fuzz(
  minutes: number,
  dir: string,
): Promise<{ exitCode: number; results: FuzzResult[] }> {
  const properties = 11
  const seconds = Math.max(5, Math.floor((minutes * 60) / properties))
  const report = join(dir, 'fuzz.jsonl')
  log(`fuzz: ${properties} properties × ${seconds} s (keys, SerDes, Redis envelopes, engine model)`)
  const exitCode = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        join(repositoryRoot, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--selectProjects',
        'reliability',
        '--testPathPatterns',
        'reliability/test/(fuzz/|core/engine-model)',
      ],
      {
        cwd: repositoryRoot,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, MEMOKIT_FUZZ_SECONDS: String(seconds), MEMOKIT_FUZZ_REPORT: report },
      },
    )
    child.on('exit', (code) => resolve(code ?? 1))
  })
  const results = existsSync(report)
    ? readFileSync(report, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as FuzzResult)
    : []
  return { exitCode, results }
}

function fuzzTable(results: FuzzResult[]): string {
  return [
    '| property | runs | seconds | first seed (chunks) | result |',
    '|---|---:|---:|---|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.runs} | ${r.seconds} | ${r.seed} (${r.chunks}) | ${r.failed ? '**failed**' : 'passed'} |`,
    ),
  ].join('\n')
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2))
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-')
  const dir = join(packageRoot, 'results', stamp)
  mkdirSync(dir, { recursive: true })
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${round(totalmem() / 1024 ** 3, 1)} GB, Node ${process.version}`
  log(`reliability long run → ${dir}`)
  log(`machine: ${machine}`)
  const summary: {
    machine: string
    arguments: {
      minutes: number
      fuzzMinutes: number
      faultSeconds: number
      restartSeconds: number
      only: string[]
    }
    fuzz?: { exitCode: number; results: FuzzResult[] }
    faults?: FaultRunReport
    soak?: SoakReport
    durationMs?: number
  } = { machine, arguments: { ...args, only: [...args.only] } }
  const save = (): void => {
    summary.durationMs = Date.now() - started
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n')
  }

  if (args.only.has('fuzz')) {
    summary.fuzz = await fuzz(args.fuzzMinutes, dir)
    log(`fuzz: ${summary.fuzz.exitCode === 0 ? 'passed' : 'FAILED'}`)
    save()
  }
  if (args.only.has('faults')) {
    log(`faults: ${FAULTS.length} faults × ${args.faultSeconds} s under load from 4 processes`)
    summary.faults = await runFaults({
      workerScript,
      faults: FAULTS,
      warmMs: 3_000,
      faultMs: args.faultSeconds * 1000,
      recoverMs: 5_000,
      loops: 8,
      thinkMs: 4,
      sampleMs: 100,
      log: (line) => log(`faults: ${line}`),
    })
    save()
  }
  if (args.only.has('soak')) {
    log(`soak: ${args.minutes} min, 4 processes, Redis restarted every ${args.restartSeconds} s`)
    summary.soak = await runSoak({
      workerScript,
      minutes: args.minutes,
      restartEverySeconds: args.restartSeconds,
      log: (line) => log(`soak: ${line}`),
    })
    save()
  }
  save()

  const md = [
    `# Reliability long run, ${new Date(started).toISOString()}`,
    '',
    `Machine: ${machine}.`,
    '',
  ]
  if (summary.fuzz !== undefined)
    md.push('## Fuzzing and model-based runs', '', fuzzTable(summary.fuzz.results), '')
  if (summary.faults !== undefined)
    md.push(
      `## Redis faults, ${args.faultSeconds} s each, 4 processes × 8 loops`,
      '',
      faultTable(summary.faults),
      '',
      `Left in flight after the run: ${JSON.stringify(summary.faults.inFlightAfter)}; unhandled rejections: ${summary.faults.unhandledRejections}.`,
      '',
    )
  if (summary.soak !== undefined)
    md.push(`## Soak, ${args.minutes} min`, '', soakTables(summary.soak), '')
  writeFileSync(join(dir, 'summary.md'), md.join('\n'))
  console.log(`\n${md.join('\n')}`)
  log(`done in ${round((Date.now() - started) / 60_000, 1)} min; ${join(dir, 'summary.md')}`)

  const problems: string[] = []
  if (summary.fuzz !== undefined && summary.fuzz.exitCode !== 0)
    problems.push('a fuzz property failed')
  for (const phase of summary.faults?.phases ?? [])
    if (phase.failedTotal > 0 || phase.wrong > 0 || phase.expired > 0)
      problems.push(`fault ${phase.fault}: failed or wrong values`)
  for (const worker of summary.soak?.workers ?? [])
    if (
      worker.figures.wrong > 0 ||
      worker.figures.unexpectedFailures > 0 ||
      worker.inFlightAfter > 0
    )
      problems.push(`soak ${worker.name}: wrong values, unexpected failures or pending state`)
  if (problems.length > 0) {
    console.error(`\nProblems:\n- ${problems.join('\n- ')}`)
    process.exitCode = 1
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
