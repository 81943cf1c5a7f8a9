// Runs one built example: `pnpm example <name>` (the files in examples/src and, compiled with
// legacy experimentalDecorators, examples/legacy-src).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const sources = [
  ['src', 'dist'],
  ['legacy-src', 'dist-legacy'],
]
const available = new Map()
for (const [dir, out] of sources)
  for (const file of readdirSync(join(root, 'examples', dir)))
    if (file.endsWith('.ts') && !file.startsWith('_'))
      available.set(file.slice(0, -3), join(root, 'examples', out, file.replace(/\.ts$/, '.js')))

const name = process.argv[2]
const script = name === undefined ? undefined : available.get(name)
if (script === undefined) {
  console.error(`usage: pnpm example <name>\navailable: ${[...available.keys()].sort().join(', ')}`)
  process.exit(2)
}
if (!existsSync(script)) {
  console.error(`${script} is missing: run pnpm build`)
  process.exit(2)
}
const result = spawnSync(process.execPath, [script, ...process.argv.slice(3)], { stdio: 'inherit' })
process.exit(result.status ?? 1)
