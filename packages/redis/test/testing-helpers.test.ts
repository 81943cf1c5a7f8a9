// @memokit/redis/testing: throwaway servers other packages reuse.
import { existsSync } from 'node:fs'
import {
  findExecutable,
  freePort,
  RedisServerNotFoundError,
  startRedisServer,
} from '@memokit/redis/testing'
import { respCommand } from '../src/testing/resp'

jest.setTimeout(30_000)

describe('startRedisServer()', () => {
  it('starts on a random loopback port, and can be paused, resumed, killed, restarted and stopped', async () => {
    const server = await startRedisServer()
    try {
      expect(server.host).toBe('127.0.0.1')
      expect(server.port).not.toBe(6379)
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`)
      expect(existsSync(server.dir)).toBe(true)
      expect(await server.cli(['SET', 'k', 'v'])).toBe('OK\n')
      expect(await server.cli(['CONFIG', 'GET', 'save'])).toBe('save\n\n') // no persistence

      server.pause()
      await expect(respCommand(server.port, ['PING'], 300)).rejects.toThrow(/no reply/)
      server.resume()
      expect(await respCommand(server.port, ['PING'])).toBe('PONG')

      const pid = server.pid
      await server.kill()
      expect(server.running).toBe(false)
      expect(server.pid).toBeUndefined()
      await expect(respCommand(server.port, ['PING'], 300)).rejects.toThrow()

      await server.restart()
      expect(server.running).toBe(true)
      expect(server.pid).not.toBe(pid)
      expect(await respCommand(server.port, ['GET', 'k'])).toBeNull() // empty after a crash
    } finally {
      await server.stop()
    }
    expect(server.running).toBe(false)
    expect(existsSync(server.dir)).toBe(false)
  })

  it('passes extra arguments to redis-server', async () => {
    const server = await startRedisServer({ args: ['--maxmemory', '2mb'] })
    try {
      expect(await server.cli(['CONFIG', 'GET', 'maxmemory'])).toBe('maxmemory\n2097152\n')
    } finally {
      await server.stop()
    }
  })

  it('explains how to install redis-server when it is missing', async () => {
    const path = process.env.PATH
    process.env.PATH = '/nonexistent'
    try {
      expect(() => findExecutable('redis-server')).toThrow(RedisServerNotFoundError)
      const error = await startRedisServer().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RedisServerNotFoundError)
      expect((error as Error).message).toContain('sudo apt-get install redis-server')
      expect((error as RedisServerNotFoundError).code).toBe('E_REDIS_SERVER_NOT_FOUND')
    } finally {
      process.env.PATH = path
    }
  })
})

describe('freePort()', () => {
  it('returns a usable port number', async () => {
    const port = await freePort()
    expect(Number.isInteger(port) && port > 0 && port < 65_536).toBe(true)
  })
})
