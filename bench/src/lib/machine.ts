// The facts a result depends on: the machine, the runtime, and the exact library versions
// (read from the installed packages, not from package.json ranges).
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem, type } from 'node:os'
import { join } from 'node:path'
import { BENCH_DIR, REPO_DIR } from './paths.js'

export interface MachineFacts {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly node: string
  readonly v8: string
  readonly os: string
  /** 1, 5 and 15-minute load averages when the run started. */
  readonly loadAverageAtStart: readonly number[]
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8')
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1]
    if (pretty) return `${pretty} (${type()} ${release()})`
  } catch {
    // not Linux
  }
  return `${type()} ${release()}`
}

export function machineFacts(): MachineFacts {
  const cpuList = cpus()
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    os: osName(),
    loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
  }
}

function versionOf(packageDir: string): string {
  const file = join(packageDir, 'package.json')
  if (!existsSync(file)) return 'not installed'
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: REPO_DIR, encoding: 'utf8', stdio: 'pipe' }).trim()
  } catch {
    return undefined
  }
}

/**
 * The installed version of every dependency of the bench package (memokit's own packages as
 * `version @ commit`), plus redis-server's.
 */
export function libraryVersions(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(BENCH_DIR, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>
  }
  const commit = git(['rev-parse', '--short', 'HEAD'])
  const dirty = (git(['status', '--porcelain', '--', 'packages']) ?? '') !== ''
  const versions: Record<string, string> = {}
  for (const name of Object.keys(manifest.dependencies).sort()) {
    const version = versionOf(join(BENCH_DIR, 'node_modules', name))
    versions[name] =
      name.startsWith('@memokit/') && commit !== undefined
        ? `${version} @ ${commit}${dirty ? ' + uncommitted changes' : ''}`
        : version
  }
  try {
    const output = execFileSync('redis-server', ['--version'], { encoding: 'utf8' })
    versions['redis-server'] = /v=(\S+)/.exec(output)?.[1] ?? output.trim()
  } catch {
    versions['redis-server'] = 'not found'
  }
  return versions
}
