// SerDes turn entries into bytes for storages outside the process; postprocessing shapes what
// callers receive.
import {
  DeepcopyPostprocessing,
  DefaultInMemoryCacheConfiguration,
  EncodingSerDe,
  JsonSerDe,
  MutableCacheConfiguration,
  type SerDeError,
  SuperJsonSerDe,
  memoize,
  type CacheEntry,
} from '@memokit/core'

const entry: CacheEntry = {
  created: 0,
  updateAfter: 600_000,
  expiresAfter: 1_800_000,
  value: { when: new Date(0), tags: new Set(['a']), big: 10n ** 20n, note: 'x'.repeat(200) },
}

const superjson = new SuperJsonSerDe()
const back = superjson.deserialize(superjson.serialize(entry)).value as {
  when: Date
  tags: Set<string>
}
console.log(`superjson keeps types: ${back.when instanceof Date} ${back.tags instanceof Set}`)

const compressed = new EncodingSerDe(new SuperJsonSerDe(), 'brotli')
const bytes = compressed.serialize(entry)
console.log(`brotli: ${bytes.length} bytes instead of ${String(superjson.serialize(entry)).length}`)

const json = new JsonSerDe({
  valueToReversibleRepr: (value) => ({
    ...(value as object),
    big: String((value as { big: bigint }).big),
  }),
})
console.log(`json: ${String(json.serialize(entry)).slice(0, 60)}...`)

try {
  superjson.deserialize('{"json":{"__proto__":{"polluted":true}}}')
} catch (error) {
  console.log(
    `hostile data: ${(error as SerDeError).name}, prototype intact: ${!('polluted' in {})}`,
  )
}

// Deep copies let callers mutate what they get without touching the cache.
const settings = memoize(async () => ({ theme: 'dark', features: ['a'] }), {
  configuration: MutableCacheConfiguration.initializedWith(
    new DefaultInMemoryCacheConfiguration(),
  ).setPostprocessing(new DeepcopyPostprocessing()),
})
;(await settings()).features.push('mutated')
console.log(`cached features: ${(await settings()).features.join(',')}`)

// Output:
// superjson keeps types: true true
// brotli: {{\d+}} bytes instead of {{\d+}}
// json: {"created":0,"updateAfter":600000,"expiresAfter":1800000,"va...
// hostile data: SerDeError, prototype intact: true
// cached features: a
