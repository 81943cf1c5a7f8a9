// Runs every example in examples/src and checks its output against the "// Output" block at
// the end of the file. In that block, {{...}} is a regular expression; everything else is
// literal text.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const root = join(__dirname, '..')
// Standard-decorator examples in src/ (built to dist/), legacy-decorator ones in legacy-src/.
const sources = (['src', 'legacy-src'] as const).flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((file) => file.endsWith('.ts') && !file.startsWith('_'))
    .map((file) => ({ dir, file, out: dir === 'src' ? 'dist' : 'dist-legacy' })),
)

function expectedPattern(source: string): RegExp {
  const lines = source.split('\n')
  const start = lines.findIndex((line) => /^\/\/ Output\b/.test(line))
  if (start < 0) throw new Error('the example has no "// Output" block')
  const expected = lines
    .slice(start + 1)
    .filter((line) => line.startsWith('//'))
    .map((line) => line.replace(/^\/\/ ?/, ''))
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  const body = expected
    .map((line) =>
      line
        .split(/(\{\{.*?\}\})/)
        .map((part) =>
          part.startsWith('{{') && part.endsWith('}}') ? part.slice(2, -2) : escape(part),
        )
        .join(''),
    )
    .join('\n')
  return new RegExp(`^${body}\n?$`)
}

beforeAll(() => {
  // Examples run from their build output, like a user's program.
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-b', join(root, 'tsconfig.json')],
    {
      stdio: 'inherit',
    },
  )
}, 120_000)

describe.each(sources)('example $file', ({ dir, file, out }) => {
  it('runs and prints what its Output block says', () => {
    const source = readFileSync(join(root, dir, file), 'utf8')
    const result = spawnSync(process.execPath, [join(root, out, file.replace(/\.ts$/, '.js'))], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    })
    if (result.status !== 0) throw new Error(`exit ${result.status}\n${result.stderr}`)
    expect(result.stdout).toMatch(expectedPattern(source))
  })
})
