// Reproducible values for the memory scenarios, and heap measurement.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** A seeded pseudo-random generator (mulberry32): the same values on every run. */
export function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Fresh flat strings of random letters. */
export function wordMaker(rand: () => number): (length: number) => string {
  // Built with join, so it is one flat string from the start (a string grown with += is a
  // chain of concatenations that V8 flattens later, freeing memory mid-measurement).
  const letters = Array.from({ length: 1 << 18 }, () =>
    String.fromCharCode(65 + Math.floor(rand() * 26)),
  ).join('')
  return (length) => {
    const start = Math.floor(rand() * (letters.length - length))
    return letters.slice(start, start + length).toLowerCase()
  }
}

export type ValueKinds = 'mixed' | 'records'

/**
 * Values from a seed: `mixed` kinds and sizes (about 2 KB on average: strings, JSON records,
 * arrays, Buffers, Maps, nested objects), or `records` only (small API-like JSON objects, the
 * typical memoized result).
 */
export function valueMaker(seed: number, kinds: ValueKinds = 'mixed'): () => object {
  const rand = random(seed)
  const int = (min: number, max: number): number => min + Math.floor(rand() * (max - min + 1))
  const word = wordMaker(rand)
  const record = (id: number) => ({
    id,
    name: word(int(4, 16)),
    email: `${word(int(3, 10))}@example.com`,
    score: rand() * 100,
    active: rand() < 0.5,
    tags: [word(5), word(6)],
  })
  let i = 0
  return () => {
    i++
    if (kinds === 'records') return JSON.parse(JSON.stringify(record(i))) as object
    const kind = rand()
    // Strings are wrapped: lru-cache's V must be an object, and many caches hold objects.
    if (kind < 0.25) return { text: word(int(10, 4000)) }
    if (kind < 0.45) return JSON.parse(JSON.stringify(record(i))) as object
    if (kind < 0.55) return Array.from({ length: int(10, 200) }, () => rand() * 1000)
    if (kind < 0.65)
      return JSON.parse(
        JSON.stringify(Array.from({ length: int(5, 30) }, (_, j) => record(j))),
      ) as object
    if (kind < 0.75) return Buffer.alloc(int(100, 8000), i & 0xff)
    if (kind < 0.85) return new Map(Array.from({ length: int(5, 50) }, (_, j) => [word(8), j]))
    return { at: new Date(i), meta: { nested: [record(i), { deep: word(30) }] } }
  }
}

function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (typeof exposed === 'function') return exposed
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

let gc: (() => void) | undefined

/** Heap in use (heapUsed + arrayBuffers) after full garbage collections. */
export function heapNow(): number {
  gc ??= gcFunction()
  gc()
  gc()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

export const MiB = 1024 * 1024
