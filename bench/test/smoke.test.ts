// Keeps the benchmarks from rotting: every scenario runs with tiny counts (one process per
// scenario), writes its results and the doc blocks, and every contestant that can take part
// reports finite numbers. Speed is never asserted here.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(__dirname, '..', '..')

interface Case {
  contestant: string
  variant?: string
  na?: string
  reps: Record<string, number>[]
  errors: string[]
}

const SCENARIOS = [
  'hits',
  'concurrent',
  'stampede',
  'hot-key',
  'redis-hits',
  'serde',
  'redis-cold',
  'memory',
  'memory-ops',
  'size-model',
  'lambda',
]

let dir: string

beforeAll(() => {
  // The runner runs from its build output, as `pnpm bench` does.
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-b', join(root, 'bench', 'tsconfig.json')],
    { stdio: 'inherit' },
  )
  dir = mkdtempSync(join(tmpdir(), 'memokit-bench-'))
}, 120_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('runs every scenario and writes results and the doc', () => {
  const out = join(dir, 'results.json')
  const doc = join(dir, 'benchmarks.md')
  const run = spawnSync(
    process.execPath,
    [join(root, 'bench', 'dist', 'run.js'), '--smoke', '--out', out, '--doc', doc],
    { encoding: 'utf8', timeout: 90_000 },
  )
  if (run.status !== 0)
    throw new Error(`exit ${run.status}\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`)

  const results = JSON.parse(readFileSync(out, 'utf8')) as {
    machine: { cpu: string; cores: number }
    versions: Record<string, string>
    scenarios: { id: string; cases: Case[] }[]
  }
  expect(results.scenarios.map((s) => s.id)).toEqual(SCENARIOS)
  expect(results.machine.cores).toBeGreaterThan(0)
  expect(results.versions['lru-cache']).toMatch(/^\d+\.\d+\.\d+$/)
  expect(results.versions['redis-server']).toMatch(/^\d+\.\d+/)
  for (const scenario of results.scenarios) {
    const measured = scenario.cases.filter((c) => c.na === undefined)
    expect(measured.length).toBeGreaterThan(0)
    for (const c of measured) {
      const label = `${scenario.id} / ${c.contestant} ${c.variant ?? ''}`
      expect({ label, errors: c.errors }).toEqual({ label, errors: [] })
      expect(c.reps).toHaveLength(1)
      for (const [metric, value] of Object.entries(c.reps[0]!))
        if (!Number.isFinite(value)) expect({ label, metric, value }).toEqual('a finite number')
    }
  }

  const text = readFileSync(doc, 'utf8')
  for (const id of ['run', ...SCENARIOS]) {
    expect(text).toContain(`<!-- bench:${id}:start -->`)
    expect(text).toContain(`<!-- bench:${id}:end -->`)
  }
}, 120_000)
