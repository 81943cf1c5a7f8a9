// The golden key file (test plan B3): reliability/golden/keys-v1.json records the exact keys
// both key extractors derive for a few hundred representative inputs. Any drift fails the
// build: it would silently empty every shared cache (Redis) on upgrade. The §6 distinctness
// table and the key property test live in packages/core/test (keys-table, keys-property).
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  computeGoldenCases,
  goldenDrift,
  type GoldenCase,
  type GoldenFile,
} from '../../src/golden/golden-keys'
import { builtScript, reliabilityRoot } from '../support/paths'

const recorded = JSON.parse(
  readFileSync(join(reliabilityRoot, 'golden', 'keys-v1.json'), 'utf8'),
) as GoldenFile

describe('the golden key file', () => {
  it('holds a few hundred cases with unique ids, including rejections and hashed keys', () => {
    expect(recorded.format).toBe('memokit-golden-keys')
    expect(recorded.version).toBe(1)
    const ids = recorded.cases.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBeGreaterThanOrEqual(300)
    expect(recorded.cases.filter((c) => 'rejected' in c).length).toBeGreaterThanOrEqual(10)
    const names = recorded.cases.flatMap((c) => ('name' in c ? [c.name] : []))
    expect(names.filter((name) => name.startsWith('Index.search#')).length).toBeGreaterThan(10)
  })

  it('gives one key only to inputs that are equal', () => {
    // Equal values written differently (and generated values that happen to repeat one):
    // every group of cases sharing a name key. Any other collision is a bug.
    const groups = new Map<string, string[]>()
    for (const c of recorded.cases)
      if ('name' in c) groups.set(c.name, [...(groups.get(c.name) ?? []), c.id])
    expect([...groups.values()].filter((ids) => ids.length > 1)).toEqual([
      ['table/undefined', 'generated/0', 'generated/28'],
      ['table/null', 'generated/18', 'generated/42', 'generated/58', 'generated/93'],
      ['table/"null"', 'string/39'],
      ['table/empty-array', 'generated/3', 'generated/37'],
      ['table/{}', 'generated/90', 'generated/111'],
      ['table/false', 'generated/78'],
      ['table/-0', 'generated/79'],
      ['table/MAX_SAFE_INTEGER+1', 'number/7:9007199254740992'],
      ['table/null-prototype {a:1}', 'table/{a:1}'],
      ['types/empty Set', 'generated/88'],
      ['number/0:5e-324', 'number/17:5e-324'],
      ['number/2:1.7976931348623157e+308', 'number/18:1.7976931348623157e+308'],
      ['number/11:0.000001', 'number/28:0.000001'],
      ['bigint/0:0', 'bigint/6:0'],
    ])
  })

  it('matches the keys this memokit derives, exactly', () => {
    const drift = goldenDrift(recorded, computeGoldenCases())
    expect(drift).toEqual([])
  })

  it('reports a drifted key, a lost case and a new one', () => {
    const computed = computeGoldenCases()
    const changed = computed.map((c): GoldenCase => (c.id === 'table/1' ? { ...c, name: 'x' } : c))
    changed.push({ id: 'new/case', rejected: 'KeyDerivationError' })
    const drift = goldenDrift(
      recorded,
      changed.filter((c) => c.id !== 'table/null'),
    )
    expect(drift.map((line) => line.split(':')[0])).toEqual(['table/null', 'table/1', 'new/case'])
  })

  it('matches in another process with another time zone and locale', async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [builtScript('golden/golden.js'), 'check'],
        {
          env: {
            ...process.env,
            TZ: 'Pacific/Kiritimati',
            LC_ALL: 'tr_TR.UTF-8',
            LANG: 'tr_TR.UTF-8',
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
      ),
    )
    expect(result).toEqual({
      code: 0,
      stdout: `${recorded.cases.length} golden keys unchanged\n`,
      stderr: '',
    })
  })
})
