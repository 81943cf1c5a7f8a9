// The golden key file, from the command line:
//
//   node reliability/dist/golden/golden.js check    exits 1 and lists the drift, if any
//   node reliability/dist/golden/golden.js update   rewrites reliability/golden/keys-v1.json
//
// `pnpm golden:update` builds and runs `update`. Updating is a deliberate act: it accepts that
// every key listed as changed would miss in storages written by the previous version.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { computeGoldenCases, goldenDrift, goldenFile, type GoldenFile } from './golden-keys.js'

const path = fileURLToPath(new URL('../../golden/keys-v1.json', import.meta.url))
const command = process.argv[2]

if (command === 'update') {
  const file = goldenFile()
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n')
  console.log(`wrote ${file.cases.length} cases to ${path}`)
} else if (command === 'check') {
  const recorded = JSON.parse(readFileSync(path, 'utf8')) as GoldenFile
  const drift = goldenDrift(recorded, computeGoldenCases())
  if (drift.length > 0) {
    console.error(`${drift.length} golden keys drifted:\n${drift.slice(0, 20).join('\n')}`)
    process.exitCode = 1
  } else console.log(`${recorded.cases.length} golden keys unchanged`)
} else {
  console.error('usage: golden.js check | update')
  process.exitCode = 2
}
