// The hit path of a memoized call on the default configuration, against a bare Map.get + await
// and the memoizers users would otherwise pick. Run: pnpm build && node bench/dist/core-hits.js
import { cpus } from 'node:os'
import memoizee from 'memoizee'
import pMemoize from 'p-memoize'
import { LRUCache } from 'lru-cache'
import { memoize } from '@memokit/core'
import { compare, printTable, type Contestant } from './lib/harness.js'

const KEYS = ['alpha', 'beta', 'gamma', 'delta']
let k = 0
const nextKey = (): string => KEYS[k++ & 3]!

async function load(key: string): Promise<string> {
  return `value of ${key}`
}

const contestants: Contestant[] = [
  {
    name: 'floor: Map.get + await',
    setup() {
      const map = new Map(KEYS.map((key) => [key, `value of ${key}`]))
      // The harness awaits what the operation returns: here a plain value, as in `await map.get(k)`.
      return () => map.get(nextKey()) as unknown as Promise<string>
    },
  },
  {
    name: 'memokit @memoize() (default configuration)',
    async setup() {
      class Service {
        @memoize()
        async get(key: string): Promise<string> {
          return load(key)
        }
      }
      const service = new Service()
      for (const key of KEYS) await service.get(key)
      return () => service.get(nextKey())
    },
  },
  {
    name: 'memokit memoize(fn)',
    async setup() {
      const get = memoize(load)
      for (const key of KEYS) await get(key)
      return () => get(nextKey())
    },
  },
  {
    name: 'lru-cache fetch() (ttl + fetchMethod)',
    async setup() {
      const cache = new LRUCache<string, string>({
        max: 4096,
        ttl: 600_000,
        allowStale: true,
        fetchMethod: (key) => load(key),
      })
      for (const key of KEYS) await cache.fetch(key)
      return () => cache.fetch(nextKey())
    },
  },
  {
    name: 'memoizee (promise: true, maxAge)',
    async setup() {
      const get = memoizee(load, { promise: true, maxAge: 600_000, max: 4096 })
      for (const key of KEYS) await get(key)
      return () => get(nextKey())
    },
  },
  {
    name: 'p-memoize (default Map cache)',
    async setup() {
      const get = pMemoize(load)
      for (const key of KEYS) await get(key)
      return () => get(nextKey())
    },
  },
]

const results = await compare(contestants)
printTable(
  `Cache hits, sequential awaits (${cpus()[0]?.model ?? 'cpu'}, node ${process.version})`,
  results,
)
