// Runs twice: compiled with TC39 standard decorators (project "core") and with
// experimentalDecorators + emitDecoratorMetadata (project "core:legacy-decorators").
import {
  DefaultInMemoryCacheConfiguration,
  EncodedMethodNameAndArgsKeyExtractor,
  InvalidConfigurationError,
  InvalidationSupport,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
  cacheControl,
  forceRefresh,
  invalidate,
  memoize,
} from '@memokit/core'
import { collectUntil } from '../support/gc'

const legacy = typeof (Reflect as { getMetadata?: unknown }).getMetadata === 'function'

describe(`@memoize() with ${legacy ? 'legacy experimentalDecorators' : 'standard decorators'}`, () => {
  it('caches per instance and keeps `this`', async () => {
    class Counter {
      calls = 0
      constructor(readonly label: string) {}
      @memoize()
      async describe(suffix: string): Promise<string> {
        this.calls++
        return `${this.label}:${suffix}:${this.calls}`
      }
    }
    const a = new Counter('a')
    const b = new Counter('b')
    expect(await a.describe('x')).toBe('a:x:1')
    expect(await a.describe('x')).toBe('a:x:1')
    expect(await b.describe('x')).toBe('b:x:1')
    expect(await a.describe('y')).toBe('a:y:2')
    expect(a.calls).toBe(2)
    expect(b.calls).toBe(1)
  })

  it('collapses concurrent identical calls into one execution', async () => {
    let executions = 0
    class Service {
      @memoize()
      async load(id: number): Promise<number> {
        executions++
        await new Promise((resolve) => setImmediate(resolve))
        return id * 10
      }
    }
    const service = new Service()
    const results = await Promise.all([
      service.load(1),
      service.load(1),
      service.load(1),
      service.load(2),
    ])
    expect(results).toEqual([10, 10, 10, 20])
    expect(executions).toBe(2)
  })

  it('keeps caches of two methods of one class apart', async () => {
    class Two {
      @memoize()
      async first(x: number): Promise<string> {
        return `first ${x}`
      }
      @memoize()
      async second(x: number): Promise<string> {
        return `second ${x}`
      }
    }
    const two = new Two()
    expect(await two.first(1)).toBe('first 1')
    expect(await two.second(1)).toBe('second 1')
  })

  it('keeps caches apart even when two methods share one configuration', async () => {
    const configuration = new DefaultInMemoryCacheConfiguration()
    class Shared {
      @memoize({ configuration })
      async a(x: number): Promise<string> {
        return `a${x}`
      }
      @memoize({ configuration })
      async b(x: number): Promise<string> {
        return `b${x}`
      }
    }
    const shared = new Shared()
    expect([await shared.a(1), await shared.b(1), await shared.a(1)]).toEqual(['a1', 'b1', 'a1'])
  })

  it('memoizes static methods with the class as `this`', async () => {
    let calls = 0
    class Registry {
      static prefix = 'reg'
      @memoize()
      static async lookup(name: string): Promise<string> {
        calls++
        return `${this.prefix}:${name}`
      }
    }
    expect(await Registry.lookup('x')).toBe('reg:x')
    expect(await Registry.lookup('x')).toBe('reg:x')
    expect(calls).toBe(1)
  })

  it('works for subclasses and overridden methods, each with its own cache', async () => {
    const log: string[] = []
    class Base {
      @memoize()
      async value(x: number): Promise<string> {
        log.push(`base ${x}`)
        return `base ${x}`
      }
    }
    class Derived extends Base {
      @memoize()
      override async value(x: number): Promise<string> {
        log.push(`derived ${x}`)
        return `derived(${await super.value(x)})`
      }
    }
    class Inheriting extends Base {}
    const derived = new Derived()
    expect(await derived.value(1)).toBe('derived(base 1)')
    expect(await derived.value(1)).toBe('derived(base 1)')
    expect(await new Inheriting().value(1)).toBe('base 1')
    expect(log).toEqual(['derived 1', 'base 1', 'base 1'])
  })

  it('names keys after the declaring class for the cross-process key extractor', async () => {
    const storage = new LocalInMemoryCacheStorage()
    const configuration = MutableCacheConfiguration.initializedWith(
      new DefaultInMemoryCacheConfiguration(),
    )
      .setStorage(storage)
      .setKeyExtractor(new EncodedMethodNameAndArgsKeyExtractor())
    class Catalog {
      @memoize({ configuration })
      async find(id: string): Promise<string> {
        return id
      }
      @memoize({ configuration })
      static async count(): Promise<number> {
        return 3
      }
    }
    class SpecialCatalog extends Catalog {}
    await new SpecialCatalog().find('x')
    await Catalog.count()
    expect([...storage.keys()].sort()).toEqual(['Catalog.count[]', 'Catalog.find["x"]'])
  })

  it('offers typed force-refresh and invalidation for methods', async () => {
    let version = 0
    const invalidation = new InvalidationSupport<[id: string]>()
    class Users {
      @memoize({ invalidation })
      async byId(id: string): Promise<string> {
        version++
        return `${id}@${version}`
      }
    }
    const users = new Users()
    expect(await users.byId('1')).toBe('1@1')
    expect(await forceRefresh(() => users.byId('1'))).toBe('1@2')
    expect(await users.byId('1')).toBe('1@2')
    await invalidate(() => users.byId('1'))
    expect(await users.byId('1')).toBe('1@3')
    await invalidation.invalidateForArguments(['1'], users)
    expect(await users.byId('1')).toBe('1@4')
    // miss, forced refresh, hit, miss after invalidate(), miss after invalidateForArguments()
    expect(cacheControl(Users.prototype.byId).stats()).toMatchObject({
      hits: 1,
      misses: 3,
      invalidations: 2,
    })
  })

  it('lets dropped instances be garbage-collected', async () => {
    const finalized = { count: 0 }
    const registry = new FinalizationRegistry(() => finalized.count++)
    class Heavy {
      readonly payload = new Uint8Array(64 * 1024)
      @memoize()
      async size(): Promise<number> {
        return this.payload.length
      }
    }
    const create = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) {
        const heavy = new Heavy()
        registry.register(heavy, i)
        expect(await heavy.size()).toBe(65_536)
      }
    }
    await create()
    expect(await collectUntil(() => finalized.count === 20)).toBe(true)
  })

  it('rejects what is not a method, clearly', () => {
    expect(() => {
      class Bad {
        // @ts-expect-error -- a getter cannot be memoized
        @memoize()
        get value(): Promise<number> {
          return Promise.resolve(1)
        }
      }
      return Bad
    }).toThrow(InvalidConfigurationError)
  })

  if (legacy) {
    it('keeps design-time metadata readable (emitDecoratorMetadata)', () => {
      class Typed {
        @memoize()
        async load(id: number, _name: string): Promise<number> {
          return id
        }
      }
      const reflect = Reflect as unknown as {
        getMetadata(key: string, target: object, property: string): unknown
      }
      expect(reflect.getMetadata('design:paramtypes', Typed.prototype, 'load')).toEqual([
        Number,
        String,
      ])
      expect(reflect.getMetadata('design:returntype', Typed.prototype, 'load')).toBe(Promise)
    })
  }
})
