import { describeCacheStorageContract } from '@memokit/core/testing'
import { RedisCacheStorage, RedisInvalidationBus, TwoTierCacheStorage } from '@memokit/redis'
import { client, closeClients, clusterClient, connected, uniqueNamespace } from './support/redis'

afterAll(() => closeClients())

describeCacheStorageContract('RedisCacheStorage (single node)', {
  create: () => new RedisCacheStorage({ client: client(), namespace: uniqueNamespace() }),
})

describeCacheStorageContract('RedisCacheStorage (3-master cluster)', {
  create: async () =>
    new RedisCacheStorage({
      client: await connected(clusterClient()),
      namespace: uniqueNamespace(),
      operationTimeout: 2_000,
    }),
})

describeCacheStorageContract('TwoTierCacheStorage over Redis with an invalidation bus', {
  create: async () => {
    const namespace = uniqueNamespace()
    const redis = client()
    const bus = new RedisInvalidationBus({ client: redis, namespace })
    const storage = new TwoTierCacheStorage({
      remote: new RedisCacheStorage({ client: redis, namespace }),
      bus,
    })
    await bus.ready()
    return storage
  },
  destroy: async (storage) => {
    const twoTier = storage as TwoTierCacheStorage
    twoTier.close()
    await twoTier.bus?.close()
  },
})
