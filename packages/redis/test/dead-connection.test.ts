// A connection that dies silently (half-open: the server side is gone, nothing answers, no FIN
// or RST ever arrives) must not keep the cache off for good. Found by the reliability suite's
// fault runs (reliability/test/redis/fault-runs.test.ts, fault "half-open-silent").
import { createServer, createConnection, type Server, type Socket } from 'node:net'
import { createRedisClient, recommendedRedisOptions, RedisCacheStorage } from '@memokit/redis'
import { connected, freshEntry, sleep, testRedisUrl, uniqueNamespace } from './support/redis'

jest.setTimeout(30_000)

/** Forwards to Redis; `silence()` makes every open connection half-open and mute for good. */
async function silencingProxy(
  target: URL,
): Promise<{ url: string; silence(): void; close(): Promise<void> }> {
  const links = new Set<{ client: Socket; upstream: Socket; dead: boolean }>()
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) })
    const link = { client, upstream, dead: false }
    links.add(link)
    client.on('data', (chunk: Buffer) => {
      if (!link.dead) upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (!link.dead) client.write(chunk)
    })
    const drop = (): void => {
      links.delete(link)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', drop)
    client.on('close', drop)
    upstream.on('error', () => {
      if (!link.dead) drop()
    })
    upstream.on('close', () => {
      if (!link.dead) drop()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `redis://127.0.0.1:${port}`,
    silence() {
      for (const link of links) {
        link.dead = true
        link.upstream.destroy() // the server forgets the client; the client is never told
      }
    },
    async close() {
      for (const link of links) link.client.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

describe('a connection that dies silently', () => {
  it('is given up by a client with the recommended options, so the cache comes back', async () => {
    expect(recommendedRedisOptions.socketTimeout).toBeGreaterThan(0)
    const proxy = await silencingProxy(new URL(testRedisUrl()))
    const redis = await connected(createRedisClient(proxy.url))
    try {
      const storage = new RedisCacheStorage({
        client: redis,
        namespace: uniqueNamespace('dead'),
        operationTimeout: 200,
      })
      await storage.offer('k', freshEntry('v'))
      expect((await storage.get('k'))?.value).toBe('v')

      proxy.silence()
      const silencedAt = Date.now()
      let back: number | undefined
      while (Date.now() - silencedAt < 10_000) {
        if ((await storage.get('k'))?.value === 'v') {
          back = Date.now() - silencedAt
          break
        }
        await sleep(50)
      }
      // The dead connection is dropped after socketTimeout without data, and the client
      // reconnects (to a working path): hits again. Without it, never.
      expect(back).toBeDefined()
      expect(back).toBeLessThan(recommendedRedisOptions.socketTimeout! + 3_000)
    } finally {
      redis.disconnect()
      await proxy.close()
    }
  })
})
