// py-memoize tests/unit/test_key.py (interactions with the key extractor) and the intent of its
// uncollected EncodedMethod*KeyExtractorTests, plus memokit's key extractor options.
import {
  DefaultInMemoryCacheConfiguration,
  EncodedMethodNameAndArgsKeyExtractor,
  EncodedMethodReferenceAndArgsKeyExtractor,
  InvalidConfigurationError,
  KeyDerivationError,
  LocalInMemoryCacheStorage,
  MethodReference,
  MutableCacheConfiguration,
  encodeArguments,
  hashKey,
  memoize,
  type CacheEntry,
  type CacheStorage,
  type EvictionStrategy,
  type KeyExtractor,
} from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import { createHash } from 'node:crypto'

describe('the engine and its key extractor (py-memoize test_key)', () => {
  function setup() {
    const keyExtractor: jest.Mocked<KeyExtractor> = {
      formatKey: jest.fn(
        (_method: MethodReference, _args: readonly unknown[], _self?: unknown) => 'key',
      ),
    }
    const storage: jest.Mocked<CacheStorage> = {
      get: jest.fn(async (_key: string): Promise<CacheEntry | undefined> => undefined),
      offer: jest.fn(async (_key: string, _entry: CacheEntry) => {}),
      release: jest.fn(async (_key: string) => {}),
    }
    const strategy: jest.Mocked<EvictionStrategy> = {
      markRead: jest.fn(),
      markWritten: jest.fn(),
      markReleased: jest.fn(),
      nextToRelease: jest.fn(() => undefined),
    }
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
    )
      .setKeyExtractor(keyExtractor)
      .setEvictionStrategy(strategy)
    return { keyExtractor, storage, strategy, configuration }
  }

  it('calls the key extractor once with the method reference and the arguments', async () => {
    const { keyExtractor, configuration } = setup()
    const getValue = memoize(
      async function getValue(arg: string, kwargs?: { kwarg: string }) {
        return `${arg}${kwargs?.kwarg}`
      },
      { configuration },
    )
    await getValue('test', { kwarg: 'args' })
    expect(keyExtractor.formatKey).toHaveBeenCalledTimes(1)
    const [method, args, self] = keyExtractor.formatKey.mock.calls[0]!
    expect(method).toBeInstanceOf(MethodReference)
    expect(method.qualifiedName).toBe('getValue')
    expect(args).toEqual(['test', { kwarg: 'args' }])
    expect(self).toBeUndefined()
  })

  it('passes the extracted key to the storage when an entry is added', async () => {
    const { storage, configuration } = setup()
    configuration.setStorage(storage)
    const getValue = memoize(async (arg: string) => arg, { configuration })
    await getValue('test')
    expect(storage.get).toHaveBeenCalledTimes(1)
    expect(storage.get).toHaveBeenCalledWith('key')
    expect(storage.offer).toHaveBeenCalledTimes(1)
    expect(storage.offer).toHaveBeenCalledWith('key', expect.objectContaining({ value: 'test' }))
  })

  it('passes the extracted key to the eviction strategy', async () => {
    const { strategy, configuration } = setup()
    const getValue = memoize(async (arg: string) => arg, { configuration })
    await getValue('test')
    await getValue('test')
    expect(strategy.markRead).toHaveBeenCalledTimes(1)
    expect(strategy.markRead).toHaveBeenCalledWith('key')
    expect(strategy.markWritten).toHaveBeenCalledTimes(1)
    expect(strategy.markWritten).toHaveBeenCalledWith('key', expect.objectContaining({}))
  })

  it('passes the instance as self for decorated methods', async () => {
    const { keyExtractor, configuration } = setup()
    class Service {
      @memoize({ configuration })
      async load(id: number): Promise<number> {
        return id
      }
    }
    const service = new Service()
    await service.load(7)
    const [method, args, self] = keyExtractor.formatKey.mock.calls[0]!
    expect(method.qualifiedName).toBe('Service.load')
    expect(args).toEqual([7])
    expect(self).toBe(service)
  })
})

describe('EncodedMethodReferenceAndArgsKeyExtractor', () => {
  const extractor = new EncodedMethodReferenceAndArgsKeyExtractor()

  it('encodes the method identity, the instance identity and the arguments', () => {
    const method = new MethodReference('helper_method', { className: '' })
    const key = extractor.formatKey(method, ['a', 'b', { z: 'c' }])
    expect(key).toBe(`${method.id}:-:${encodeArguments(['a', 'b', { z: 'c' }])}`)
    expect(key.endsWith('["a","b",{"z":"c"}]')).toBe(true)
  })

  it('gives two methods of the same name different keys', () => {
    const one = new MethodReference('helper_method', { className: 'A' })
    const other = new MethodReference('helper_method', { className: 'A' })
    expect(extractor.formatKey(one, ['a'])).not.toBe(extractor.formatKey(other, ['a']))
  })

  it('gives two instances different keys and one instance the same key', () => {
    const method = new MethodReference('m', { className: 'C' })
    const a = {}
    const b = {}
    expect(extractor.formatKey(method, [1], a)).toBe(extractor.formatKey(method, [1], a))
    expect(extractor.formatKey(method, [1], a)).not.toBe(extractor.formatKey(method, [1], b))
    expect(extractor.formatKey(method, [1], a)).not.toBe(extractor.formatKey(method, [1]))
  })

  it('applies its encoding limits', () => {
    const method = new MethodReference('m')
    const strict = EncodedMethodReferenceAndArgsKeyExtractor({ maxDepth: 2 })
    expect(() => strict.formatKey(method, [[[[1]]]])).toThrow(KeyDerivationError)
    expect(() => extractor.formatKey(method, [[[[1]]]])).not.toThrow()
  })
})

describe('EncodedMethodNameAndArgsKeyExtractor', () => {
  const helper = new MethodReference('helper_method', { className: '' })

  it('encodes the method name and the arguments', () => {
    const extractor = new EncodedMethodNameAndArgsKeyExtractor({ skipFirstArgAsSelf: false })
    expect(extractor.formatKey(helper, ['a', 'b', { z: 'c' }])).toBe(
      'helper_method["a","b",{"z":"c"}]',
    )
  })

  it('leaves the first argument out with skipFirstArgAsSelf', () => {
    const extractor = new EncodedMethodNameAndArgsKeyExtractor({ skipFirstArgAsSelf: true })
    const self = { any: 'thing' }
    expect(extractor.formatKey(helper, [self, 'a', 'b', { z: 'c' }])).toBe(
      'helper_method["a","b",{"z":"c"}]',
    )
  })

  it('gives Class.method keys for decorated methods, the same for every instance', async () => {
    const storage = new LocalInMemoryCacheStorage()
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
    )
      .setStorage(storage)
      .setKeyExtractor(new EncodedMethodNameAndArgsKeyExtractor())
    let loads = 0
    class Catalog {
      @memoize({ configuration })
      async find(id: string, options: { deep: boolean }): Promise<string> {
        loads++
        return `${id}:${options.deep}`
      }
    }
    await new Catalog().find('x', { deep: true })
    await new Catalog().find('x', { deep: true })
    expect([...storage.keys()]).toEqual(['Catalog.find["x",{"deep":t}]'])
    expect(loads).toBe(1)
  })

  it('scopes keys to an instance with instanceKey', () => {
    const extractor = new EncodedMethodNameAndArgsKeyExtractor({
      instanceKey: (self) => (self as { tenant: string }).tenant,
    })
    const method = new MethodReference('byId', { className: 'Users' })
    expect(extractor.formatKey(method, ['1'], { tenant: 'acme' })).toBe('Users.byId@"acme"["1"]')
    expect(extractor.formatKey(method, ['1'], { tenant: 'other' })).toBe('Users.byId@"other"["1"]')
  })

  it('fails closed when instanceKey has no scope for an instance', async () => {
    const extractor = new EncodedMethodNameAndArgsKeyExtractor({
      instanceKey: (self) => (self as { tenant?: string }).tenant as string,
    })
    const method = new MethodReference('byId', { className: 'Users' })
    for (const self of [{}, { tenant: '' }, { tenant: 42 }])
      expect(() => extractor.formatKey(method, ['1'], self)).toThrow(KeyDerivationError)
    // Through memoize: the call rejects and the method never runs for a request without tenant.
    let runs = 0
    class Users {
      constructor(readonly tenant?: string) {}
      @memoize({
        configuration: MutableCacheConfiguration.initializedWith(
          DefaultInMemoryCacheConfiguration(),
        ).setKeyExtractor(extractor),
      })
      async byId(id: string): Promise<string> {
        runs++
        return `${this.tenant}:${id}`
      }
    }
    expect(await new Users('acme').byId('1')).toBe('acme:1')
    await expect(new Users().byId('1')).rejects.toThrow(
      /instanceKey must return a non-empty string/,
    )
    expect(runs).toBe(1)
  })

  it('puts the version in every key', () => {
    const method = new MethodReference('byId', { className: 'Users' })
    const v1 = new EncodedMethodNameAndArgsKeyExtractor({ version: 'v1' })
    const v2 = new EncodedMethodNameAndArgsKeyExtractor({ version: 'v2' })
    expect(v1.formatKey(method, [1])).toBe('"v1":Users.byId[d1]')
    expect(v1.formatKey(method, [1])).not.toBe(v2.formatKey(method, [1]))
  })

  it('hashes long keys deterministically with SHA-256 of the encoded arguments', () => {
    const extractor = new EncodedMethodNameAndArgsKeyExtractor()
    const method = new MethodReference('search', { className: 'Index' })
    const args = ['x'.repeat(300), { page: 2 }]
    const key = extractor.formatKey(method, args)
    const expected = createHash('sha256').update(encodeArguments(args), 'utf8').digest('base64url')
    expect(key).toBe(`Index.search#${expected}`)
    expect(key).toBe(`Index.search#${hashKey(encodeArguments(args))}`)
    expect(extractor.formatKey(method, ['x'.repeat(300), { page: 2 }])).toBe(key)
    expect(extractor.formatKey(method, ['x'.repeat(300), { page: 3 }])).not.toBe(key)
  })

  it('keeps hashed keys of a lone surrogate and of U+FFFD apart', () => {
    const extractor = new EncodedMethodNameAndArgsKeyExtractor({ hashLongerThan: 0 })
    const method = new MethodReference('f')
    expect(extractor.formatKey(method, ['\uD800'])).not.toBe(
      extractor.formatKey(method, ['\uFFFD']),
    )
  })

  it('keeps hashing stable across releases (golden value)', () => {
    const extractor = new EncodedMethodNameAndArgsKeyExtractor({ hashLongerThan: 0 })
    const method = new MethodReference('f', { className: 'C' })
    // sha256('["a",d1]') in base64url: a change here would silently empty shared caches
    expect(extractor.formatKey(method, ['a', 1])).toBe(
      'C.f#X-l1BQ7t4MupID-x5-BknfUXZddQzncvKbSmXAgeJTM',
    )
  })

  it('refuses an anonymous function, which has no stable name', async () => {
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
    ).setKeyExtractor(new EncodedMethodNameAndArgsKeyExtractor())
    let runs = 0
    const anonymous = memoize(
      (() => async () => {
        runs++
        return 1
      })(),
      { configuration },
    )
    await expect(anonymous()).rejects.toBeInstanceOf(KeyDerivationError)
    expect(runs).toBe(0)
    const named = memoize(async () => ++runs, { configuration, name: 'counter' })
    expect(await named()).toBe(1)
  })

  it('rejects impossible options', () => {
    expect(() => new EncodedMethodNameAndArgsKeyExtractor({ hashLongerThan: -1 })).toThrow(
      InvalidConfigurationError,
    )
    expect(() => new EncodedMethodNameAndArgsKeyExtractor({ hashLongerThan: NaN })).toThrow(
      InvalidConfigurationError,
    )
    expect(
      () => new EncodedMethodNameAndArgsKeyExtractor({ instanceKey: 'tenant' as never }),
    ).toThrow(InvalidConfigurationError)
  })
})
