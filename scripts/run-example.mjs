// Runs one built example: `pnpm example <name>` (the names are the files in examples/src).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const name = process.argv[2]
const available = readdirSync(join(root, 'examples', 'src'))
  .filter((file) => file.endsWith('.ts') && !file.startsWith('_'))
  .map((file) => file.slice(0, -3))
if (!name || !available.includes(name)) {
  console.error(`usage: pnpm example <name>\navailable: ${available.join(', ')}`)
  process.exit(2)
}
const script = join(root, 'examples', 'dist', `${name}.js`)
if (!existsSync(script)) {
  console.error(`${script} is missing: run pnpm build`)
  process.exit(2)
}
const result = spawnSync(process.execPath, [script, ...process.argv.slice(3)], { stdio: 'inherit' })
process.exit(result.status ?? 1)
