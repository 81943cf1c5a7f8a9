// Summarizes V8 CPU profiles (`pnpm bench --profile` writes one per measurement process): where
// the time goes, by function (self time) and by package.
//
//   node bench/dist/profile.js <file.cpuprofile> [--top 25] [--filter <text>]
//
// `--filter` keeps only the samples whose stack contains a frame matching <text> (a function
// name or a file path), e.g. the timed loop, to leave set-up work out.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** Where a frame's code lives: a package name, `node:` internals, or the frame kind. */
function owner(frame: CallFrame): string {
  const url = frame.url
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  if (url.startsWith('node:')) return 'node internals'
  const memokit = /\/packages\/([a-z]+)\/dist\//.exec(url)
  if (memokit) return `@memokit/${memokit[1]}`
  const modules = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (modules) return modules[1]!
  if (url.includes('/bench/dist/')) return 'bench harness'
  return url
}

function frameName(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/(node_modules|packages)\//, '').replace(/^file:\/\//, '')
  return `${frame.functionName || '(anonymous)'}  ${file}${file ? `:${frame.lineNumber + 1}` : ''}`
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, filter: { type: 'string' } },
  })
  const file = positionals[0]
  if (file === undefined) {
    console.error('usage: node bench/dist/profile.js <file.cpuprofile> [--top n] [--filter text]')
    process.exit(2)
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id)
  const matches = (id: number): boolean => {
    if (values.filter === undefined) return true
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame
      if (frame.functionName.includes(values.filter) || frame.url.includes(values.filter))
        return true
    }
    return false
  }
  const self = new Map<string, number>()
  const packages = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    if (!matches(id)) return
    const frame = byId.get(id)!.callFrame
    if (frame.functionName === '(idle)') return
    total += delta
    const name = frameName(frame)
    self.set(name, (self.get(name) ?? 0) + delta)
    const pkg = owner(frame)
    packages.set(pkg, (packages.get(pkg) ?? 0) + delta)
  })
  const print = (title: string, entries: Map<string, number>, top: number): void => {
    console.log(`\n${title}`)
    for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(
        `${((us / total) * 100).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
      )
  }
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms of samples (idle excluded)`)
  print('self time by package', packages, 20)
  print('self time by function', self, Number(values.top))
}

main()
