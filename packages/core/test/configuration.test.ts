// Configuration: every constructor and setter rejects bad input with InvalidConfigurationError,
// memoize() rejects unknown options, changes apply to later calls only, and the built-ins
// work with and without `new`.
import {
  DeepcopyPostprocessing,
  DefaultInMemoryCacheConfiguration,
  EncodedMethodNameAndArgsKeyExtractor,
  EncodedMethodReferenceAndArgsKeyExtractor,
  EncodingSerDe,
  InMemoryLocks,
  InvalidConfigurationError,
  InvalidationSupport,
  JsonSerDe,
  LeastRecentlyUpdatedEvictionStrategy,
  LocalInMemoryCacheStorage,
  MemoizeUsageError,
  MutableCacheConfiguration,
  NoEvictionStrategy,
  NoPostprocessing,
  NotConfiguredCacheCalledError,
  ProvidedLifeSpanCacheEntryBuilder,
  SuperJsonSerDe,
  cacheControl,
  forceRefresh,
  memoize,
  memoizeConcurrent,
  minutes,
  snapshotOf,
  type CacheConfiguration,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { deferred, sleep } from './support/harness'

const ICE = InvalidConfigurationError

function base(): MutableCacheConfiguration {
  return MutableCacheConfiguration.initializedWith(
    DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
  )
}

const notAnObject = [null, 5, 'x', true]

describe('MutableCacheConfiguration setters', () => {
  it.each<[string, (c: MutableCacheConfiguration) => unknown]>([
    ['setMethodTimeout(0)', (c) => c.setMethodTimeout(0)],
    ['setMethodTimeout(-1)', (c) => c.setMethodTimeout(-1)],
    ['setMethodTimeout(NaN)', (c) => c.setMethodTimeout(NaN)],
    ['setMethodTimeout("5")', (c) => c.setMethodTimeout('5' as never)],
    [
      'setMethodTimeout(2 ** 31) (setTimeout would fire at once)',
      (c) => c.setMethodTimeout(2 ** 31),
    ],
    ['setConfigured("yes")', (c) => c.setConfigured('yes' as never)],
    ['setConfigured(undefined)', (c) => c.setConfigured(undefined as never)],
    ['setStorage({})', (c) => c.setStorage({} as never)],
    ['setStorage(null)', (c) => c.setStorage(null as never)],
    ['setStorage without release()', (c) => c.setStorage({ get() {}, offer() {} } as never)],
    ['setKeyExtractor({})', (c) => c.setKeyExtractor({} as never)],
    ['setKeyExtractor(a function)', (c) => c.setKeyExtractor((() => 'k') as never)],
    [
      'setEvictionStrategy without nextToRelease()',
      (c) => c.setEvictionStrategy({ markRead() {}, markWritten() {}, markReleased() {} } as never),
    ],
    ['setEntryBuilder(5)', (c) => c.setEntryBuilder(5 as never)],
    ['setPostprocessing({})', (c) => c.setPostprocessing({} as never)],
    ['setClock({})', (c) => c.setClock({} as never)],
  ])('rejects %s', (_label, set) => {
    const configuration = base()
    const before = snapshotOf(configuration)
    expect(() => set(configuration)).toThrow(ICE)
    expect(snapshotOf(configuration)).toEqual(before) // nothing changed
  })

  it('names the option and the value received', () => {
    expect(() => base().setMethodTimeout(-5)).toThrow(/methodTimeout.*-5/)
    expect(() => base().setStorage({} as never)).toThrow(/storage must implement get\(\)/)
  })

  it('accepts Infinity as "no method timeout" and chains', () => {
    const storage = new LocalInMemoryCacheStorage()
    const configuration = base()
    expect(configuration.setMethodTimeout(Infinity).setStorage(storage)).toBe(configuration)
    expect(configuration.methodTimeout()).toBe(Infinity)
    expect(configuration.storage()).toBe(storage)
  })
})

describe('constructors', () => {
  const complete = {
    storage: new LocalInMemoryCacheStorage(),
    keyExtractor: new EncodedMethodReferenceAndArgsKeyExtractor(),
    evictionStrategy: new NoEvictionStrategy(),
    entryBuilder: new ProvidedLifeSpanCacheEntryBuilder(),
  }

  it.each<[string, () => unknown]>([
    ...notAnObject.map((o): [string, () => unknown] => [
      `MutableCacheConfiguration(${String(o)})`,
      () => new MutableCacheConfiguration(o as never),
    ]),
    [
      'MutableCacheConfiguration without a storage',
      () => new MutableCacheConfiguration({ ...complete, storage: undefined as never }),
    ],
    [
      'MutableCacheConfiguration with methodTimeout -1',
      () => new MutableCacheConfiguration({ ...complete, methodTimeout: -1 }),
    ],
    ...notAnObject.map((o): [string, () => unknown] => [
      `DefaultInMemoryCacheConfiguration(${String(o)})`,
      () => new DefaultInMemoryCacheConfiguration(o as never),
    ]),
    [
      'DefaultInMemoryCacheConfiguration capacity 0',
      () => DefaultInMemoryCacheConfiguration({ capacity: 0 }),
    ],
    [
      'DefaultInMemoryCacheConfiguration capacity 1.5',
      () => DefaultInMemoryCacheConfiguration({ capacity: 1.5 }),
    ],
    [
      'DefaultInMemoryCacheConfiguration capacity "10"',
      () => DefaultInMemoryCacheConfiguration({ capacity: '10' as never }),
    ],
    [
      'DefaultInMemoryCacheConfiguration methodTimeout 0',
      () => DefaultInMemoryCacheConfiguration({ methodTimeout: 0 }),
    ],
    [
      'DefaultInMemoryCacheConfiguration updateAfter NaN',
      () => DefaultInMemoryCacheConfiguration({ updateAfter: NaN }),
    ],
    [
      'DefaultInMemoryCacheConfiguration expireAfter -1',
      () => DefaultInMemoryCacheConfiguration({ expireAfter: -1 }),
    ],
    [
      'DefaultInMemoryCacheConfiguration updateAfter after expireAfter',
      () =>
        DefaultInMemoryCacheConfiguration({ updateAfter: minutes(31), expireAfter: minutes(30) }),
    ],
    [
      'DefaultInMemoryCacheConfiguration clock {}',
      () => DefaultInMemoryCacheConfiguration({ clock: {} as never }),
    ],
    ...notAnObject.map((o): [string, () => unknown] => [
      `ProvidedLifeSpanCacheEntryBuilder(${String(o)})`,
      () => new ProvidedLifeSpanCacheEntryBuilder(o as never),
    ]),
    [
      'ProvidedLifeSpanCacheEntryBuilder updateAfter "1"',
      () => ProvidedLifeSpanCacheEntryBuilder({ updateAfter: '1' as never }),
    ],
    [
      'ProvidedLifeSpanCacheEntryBuilder clock 5',
      () => ProvidedLifeSpanCacheEntryBuilder({ clock: 5 as never }),
    ],
    [
      'ProvidedLifeSpanCacheEntryBuilder.updateTimeouts(2, 1)',
      () => ProvidedLifeSpanCacheEntryBuilder().updateTimeouts(2, 1),
    ],
    ...notAnObject.map((o): [string, () => unknown] => [
      `LeastRecentlyUpdatedEvictionStrategy(${String(o)})`,
      () => new LeastRecentlyUpdatedEvictionStrategy(o as never),
    ]),
    [
      'LeastRecentlyUpdatedEvictionStrategy capacity -1',
      () => LeastRecentlyUpdatedEvictionStrategy({ capacity: -1 }),
    ],
    [
      'LeastRecentlyUpdatedEvictionStrategy capacity Infinity',
      () => LeastRecentlyUpdatedEvictionStrategy({ capacity: Infinity }),
    ],
    ...notAnObject.map((o): [string, () => unknown] => [
      `InMemoryLocks(${String(o)})`,
      () => new InMemoryLocks(o as never),
    ]),
    ['InMemoryLocks updateLockTimeout 0', () => InMemoryLocks({ updateLockTimeout: 0 })],
    ['InMemoryLocks clock {}', () => InMemoryLocks({ clock: {} as never })],
    ...notAnObject.map((o): [string, () => unknown] => [
      `EncodedMethodReferenceAndArgsKeyExtractor(${String(o)})`,
      () => new EncodedMethodReferenceAndArgsKeyExtractor(o as never),
    ]),
    [
      'EncodedMethodReferenceAndArgsKeyExtractor maxDepth -1',
      () => EncodedMethodReferenceAndArgsKeyExtractor({ maxDepth: -1 }),
    ],
    [
      'EncodedMethodReferenceAndArgsKeyExtractor maxNodes "many"',
      () => EncodedMethodReferenceAndArgsKeyExtractor({ maxNodes: 'many' as never }),
    ],
    ...notAnObject.map((o): [string, () => unknown] => [
      `EncodedMethodNameAndArgsKeyExtractor(${String(o)})`,
      () => new EncodedMethodNameAndArgsKeyExtractor(o as never),
    ]),
    [
      'EncodedMethodNameAndArgsKeyExtractor skipFirstArgAsSelf "yes"',
      () => EncodedMethodNameAndArgsKeyExtractor({ skipFirstArgAsSelf: 'yes' as never }),
    ],
    [
      'EncodedMethodNameAndArgsKeyExtractor version 2',
      () => EncodedMethodNameAndArgsKeyExtractor({ version: 2 as never }),
    ],
    [
      'EncodedMethodNameAndArgsKeyExtractor hashLongerThan "5"',
      () => EncodedMethodNameAndArgsKeyExtractor({ hashLongerThan: '5' as never }),
    ],
    [
      'EncodedMethodNameAndArgsKeyExtractor maxLength 0',
      () => EncodedMethodNameAndArgsKeyExtractor({ maxLength: 0 }),
    ],
    [
      'EncodingSerDe maxDecodedBytes -1',
      () => EncodingSerDe(JsonSerDe(), 'gzip', { maxDecodedBytes: -1 }),
    ],
    ['EncodingSerDe options null', () => EncodingSerDe(JsonSerDe(), 'gzip', null as never)],
    ['JsonSerDe options 5', () => new JsonSerDe(5 as never)],
    [
      'JsonSerDe valueToReversibleRepr "x"',
      () => JsonSerDe({ valueToReversibleRepr: 'x' as never }),
    ],
    ['JsonSerDe reversibleReprToValue {}', () => JsonSerDe({ reversibleReprToValue: {} as never })],
  ])('rejects %s', (_label, construct) => {
    expect(construct).toThrow(ICE)
  })

  it.each<[string, (options: unknown) => unknown]>([
    ['memoizeConcurrent', (o) => memoizeConcurrent(async () => 1, o as never)],
  ])('%s rejects bad options', (_name, create) => {
    expect(() => create(null)).toThrow(ICE)
    expect(() => create({ key: 'id' })).toThrow(ICE)
    expect(() => create({ maxDepth: 0 })).toThrow(ICE)
  })

  it('memoizeConcurrent rejects what is not a function', () => {
    expect(() => memoizeConcurrent('f' as never)).toThrow(MemoizeUsageError)
  })
})

describe('memoize() options', () => {
  const fn = async (): Promise<number> => 1

  it.each<[string, unknown]>([
    ['an unknown key', { configuraton: DefaultInMemoryCacheConfiguration() }],
    ['a misspelled updateStatuses', { updateStatus: new InMemoryLocks() }],
    ['a number', 5],
    ['null', null],
    ['a configuration missing methods', { configuration: { configured: () => true } }],
    ['updateStatuses missing methods', { updateStatuses: { isBeingUpdated: () => false } }],
    [
      'an invalidation that is not an InvalidationSupport',
      { invalidation: { invalidateForArguments() {} } },
    ],
    ['an empty name', { name: '' }],
    ['a name that is not a string', { name: 5 }],
  ])('rejects %s, for functions and decorators alike', (_label, options) => {
    expect(() => memoize(fn, options as never)).toThrow(ICE)
    expect(() => memoize(options as never)).toThrow(ICE)
  })

  it('names the unknown option', () => {
    expect(() => memoize(fn, { ttl: 5 } as never)).toThrow(/unknown memoize\(\) option "ttl"/)
  })

  it('gives each memoized function its own default configuration', async () => {
    let runs = 0
    const a = memoize(async (x: number) => `a${x}#${++runs}`)
    const b = memoize(async (x: number) => `b${x}#${++runs}`)
    expect(await a(1)).toBe('a1#1')
    expect(await b(1)).toBe('b1#2')
    expect(await a(1)).toBe('a1#1')
  })

  it('accepts an object implementing CacheConfiguration (not a MutableCacheConfiguration)', async () => {
    const inner = DefaultInMemoryCacheConfiguration({ clock: new FakeClock() })
    const custom: CacheConfiguration = {
      configured: () => true,
      methodTimeout: () => inner.methodTimeout(),
      entryBuilder: () => inner.entryBuilder(),
      keyExtractor: () => inner.keyExtractor(),
      storage: () => inner.storage(),
      evictionStrategy: () => inner.evictionStrategy(),
      postprocessing: () => inner.postprocessing(),
    }
    let runs = 0
    const get = memoize(async () => ++runs, { configuration: custom })
    expect([await get(), await get()]).toEqual([1, 1])
  })
})

describe('configuration changes', () => {
  it('reject calls with NotConfiguredCacheCalledError while not configured, checked on every call', async () => {
    const configuration = base()
    let runs = 0
    const get = memoize(async () => ++runs, { configuration })
    configuration.setConfigured(false)
    await expect(get()).rejects.toBeInstanceOf(NotConfiguredCacheCalledError)
    await expect(forceRefresh(() => get())).rejects.toBeInstanceOf(NotConfiguredCacheCalledError)
    expect(runs).toBe(0)
    configuration.setConfigured(true)
    expect(await get()).toBe(1)
  })

  it('apply to later calls and never to a call in flight', async () => {
    // given a call in flight with storage A and a 100 ms method timeout
    const clock = new FakeClock()
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 100 }),
    )
    const storageA = configuration.storage()
    const storageB = new LocalInMemoryCacheStorage()
    const gate = deferred<string>()
    let runs = 0
    const get = memoize(
      async () => {
        runs++
        return runs === 1 ? gate.promise : `run ${runs}`
      },
      { configuration },
    )
    const inFlight = get()
    await flushPromises()
    // when the configuration changes meanwhile
    configuration.setStorage(storageB).setMethodTimeout(10).setConfigured(false)
    await clock.advanceAsync(50)
    gate.resolve('run 1')
    // then the call finishes with the parts it started with
    expect(await inFlight).toBe('run 1')
    expect(
      (await storageA.get([...(storageA as LocalInMemoryCacheStorage).keys()][0]!))?.value,
    ).toBe('run 1')
    expect(storageB.size).toBe(0)
    // and later calls use the new parts
    await expect(get()).rejects.toBeInstanceOf(NotConfiguredCacheCalledError)
    configuration.setConfigured(true)
    expect(await get()).toBe('run 2')
    expect(storageB.size).toBe(1)
  })

  it('apply a new method timeout to the next call', async () => {
    const clock = new FakeClock()
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 1_000 }),
    ).setKeyExtractor({ formatKey: () => `k${Math.random()}` })
    const get = memoize(
      async () => {
        await sleep(clock, 500)
        return 'done'
      },
      { configuration },
    )
    const slowOk = get()
    configuration.setMethodTimeout(100)
    const timesOut = get().catch((e: unknown) => (e as Error).message)
    await clock.advanceAsync(500)
    expect(await slowOk).toBe('done')
    expect(await timesOut).toBe('Refresh timed out')
  })

  it('builds entries with new lifetimes after updateTimeouts()', async () => {
    const clock = new FakeClock()
    const builder = new ProvidedLifeSpanCacheEntryBuilder({
      updateAfter: 100,
      expireAfter: 200,
      clock,
    })
    const configuration = base().setEntryBuilder(builder)
    const get = memoize(async (x: number) => x, { configuration })
    const storage = configuration.storage() as LocalInMemoryCacheStorage
    builder.updateTimeouts(1_000, 2_000)
    await get(1)
    const [entry] = [...storage.entries()].map(([, e]) => e)
    expect(entry!.updateAfter - entry!.created).toBe(1_000)
    expect(entry!.expiresAfter - entry!.created).toBe(2_000)
  })
})

describe('the built-ins', () => {
  it.each<[string, (withNew: boolean) => unknown, abstract new (...args: never[]) => unknown]>([
    [
      'MutableCacheConfiguration',
      (n) => {
        const o = {
          storage: new LocalInMemoryCacheStorage(),
          keyExtractor: new EncodedMethodReferenceAndArgsKeyExtractor(),
          evictionStrategy: new NoEvictionStrategy(),
          entryBuilder: new ProvidedLifeSpanCacheEntryBuilder(),
        }
        return n ? new MutableCacheConfiguration(o) : MutableCacheConfiguration(o)
      },
      MutableCacheConfiguration,
    ],
    [
      'DefaultInMemoryCacheConfiguration',
      (n) =>
        n ? new DefaultInMemoryCacheConfiguration({}) : DefaultInMemoryCacheConfiguration({}),
      DefaultInMemoryCacheConfiguration,
    ],
    [
      'ProvidedLifeSpanCacheEntryBuilder',
      (n) =>
        n ? new ProvidedLifeSpanCacheEntryBuilder({}) : ProvidedLifeSpanCacheEntryBuilder({}),
      ProvidedLifeSpanCacheEntryBuilder,
    ],
    [
      'EncodedMethodReferenceAndArgsKeyExtractor',
      (n) =>
        n
          ? new EncodedMethodReferenceAndArgsKeyExtractor()
          : EncodedMethodReferenceAndArgsKeyExtractor(),
      EncodedMethodReferenceAndArgsKeyExtractor,
    ],
    [
      'EncodedMethodNameAndArgsKeyExtractor',
      (n) =>
        n ? new EncodedMethodNameAndArgsKeyExtractor({}) : EncodedMethodNameAndArgsKeyExtractor({}),
      EncodedMethodNameAndArgsKeyExtractor,
    ],
    [
      'LocalInMemoryCacheStorage',
      (n) => (n ? new LocalInMemoryCacheStorage() : LocalInMemoryCacheStorage()),
      LocalInMemoryCacheStorage,
    ],
    [
      'LeastRecentlyUpdatedEvictionStrategy',
      (n) =>
        n
          ? new LeastRecentlyUpdatedEvictionStrategy({ capacity: 2 })
          : LeastRecentlyUpdatedEvictionStrategy({ capacity: 2 }),
      LeastRecentlyUpdatedEvictionStrategy,
    ],
    [
      'NoEvictionStrategy',
      (n) => (n ? new NoEvictionStrategy() : NoEvictionStrategy()),
      NoEvictionStrategy,
    ],
    [
      'NoPostprocessing',
      (n) => (n ? new NoPostprocessing() : NoPostprocessing()),
      NoPostprocessing,
    ],
    [
      'DeepcopyPostprocessing',
      (n) => (n ? new DeepcopyPostprocessing() : DeepcopyPostprocessing()),
      DeepcopyPostprocessing,
    ],
    ['InMemoryLocks', (n) => (n ? new InMemoryLocks({}) : InMemoryLocks({})), InMemoryLocks],
    [
      'InvalidationSupport',
      (n) => (n ? new InvalidationSupport() : InvalidationSupport()),
      InvalidationSupport,
    ],
    ['JsonSerDe', (n) => (n ? new JsonSerDe({}) : JsonSerDe({})), JsonSerDe],
    ['SuperJsonSerDe', (n) => (n ? new SuperJsonSerDe() : SuperJsonSerDe()), SuperJsonSerDe],
    [
      'EncodingSerDe',
      (n) => (n ? new EncodingSerDe(JsonSerDe(), 'brotli') : EncodingSerDe(JsonSerDe(), 'brotli')),
      EncodingSerDe,
    ],
  ])('%s works with and without new', (_name, create, Class) => {
    expect(create(true)).toBeInstanceOf(Class)
    expect(create(false)).toBeInstanceOf(Class)
  })

  it('DefaultInMemoryCacheConfiguration has the documented defaults', () => {
    const configuration = new DefaultInMemoryCacheConfiguration()
    const builder = configuration.entryBuilder() as ProvidedLifeSpanCacheEntryBuilder
    expect(configuration.configured()).toBe(true)
    expect(configuration.methodTimeout()).toBe(minutes(2))
    expect(builder.updateAfter).toBe(minutes(10))
    expect(builder.expireAfter).toBe(minutes(30))
    expect(
      (configuration.evictionStrategy() as LeastRecentlyUpdatedEvictionStrategy).capacity,
    ).toBe(4096)
    expect(configuration.storage()).toBeInstanceOf(LocalInMemoryCacheStorage)
    expect(configuration.keyExtractor()).toBeInstanceOf(EncodedMethodReferenceAndArgsKeyExtractor)
    expect(configuration.postprocessing()).toBeInstanceOf(NoPostprocessing)
    expect(new InMemoryLocks().updateLockTimeout).toBe(minutes(5))
  })

  it('cacheControl() refuses what memoize() did not return', () => {
    expect(() => cacheControl(async () => 1)).toThrow(MemoizeUsageError)
    expect(() => cacheControl('x')).toThrow(MemoizeUsageError)
  })
})
