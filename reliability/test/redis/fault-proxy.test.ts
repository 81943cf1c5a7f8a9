// The TCP fault proxy does what each mode says, seen from a raw socket speaking RESP to a real
// redis-server behind it: the fault runs rely on it.
import { connect, type Socket } from 'node:net'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'
import { FaultProxy } from '../../src/fault-proxy'

jest.setTimeout(30_000)

let server: RedisServer
let proxy: FaultProxy
const sockets: Socket[] = []

beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server.stop()
})
beforeEach(async () => {
  proxy = await FaultProxy({ target: { port: server.port } }).start()
})
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  await proxy.close()
})

/** A raw connection through the proxy that records what it receives and how it ended. */
async function open(): Promise<{
  socket: Socket
  received: () => string
  ended: () => 'open' | 'end' | 'reset' | 'error'
}> {
  const socket = connect(proxy.port, '127.0.0.1')
  sockets.push(socket)
  let data = ''
  let state: 'open' | 'end' | 'reset' | 'error' = 'open'
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')))
  socket.on('end', () => (state = state === 'open' ? 'end' : state))
  socket.on('error', (error: NodeJS.ErrnoException) => {
    state = error.code === 'ECONNRESET' ? 'reset' : 'error'
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return { socket, received: () => data, ended: () => state }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function until(
  condition: () => boolean | Promise<boolean>,
  timeout = 2_000,
): Promise<boolean> {
  const deadline = Date.now() + timeout
  while (!(await condition()) && Date.now() < deadline) await sleep(5)
  return condition()
}

/** Connections redis-server has, apart from redis-cli's own. */
async function clientCount(): Promise<number> {
  const list = await server.cli(['CLIENT', 'LIST'])
  return list.split('\n').filter((line) => line.startsWith('id=') && !line.includes('cmd=client'))
    .length
}

describe('the TCP fault proxy', () => {
  it('passes traffic both ways', async () => {
    const c = await open()
    c.socket.write('PING\r\n')
    expect(await until(() => c.received() === '+PONG\r\n')).toBe(true)
    expect(proxy.stats()).toMatchObject({ accepted: 1, open: 1, bytesUp: 6, bytesDown: 7 })
  })

  it('adds latency in each direction, keeping the order', async () => {
    const c = await open()
    proxy.set('latency', { latency: 100 })
    const sent = Date.now()
    c.socket.write('SET a 1\r\n')
    c.socket.write('GET a\r\n')
    expect(await until(() => c.received() === '+OK\r\n$1\r\n1\r\n')).toBe(true)
    expect(Date.now() - sent).toBeGreaterThanOrEqual(190)
  })

  it('blackholes: holds everything, then delivers it when healed', async () => {
    const before = await open()
    proxy.set('blackhole')
    const during = await open() // accepted, never forwarded
    before.socket.write('PING\r\n')
    during.socket.write('ECHO held\r\n')
    await sleep(300)
    expect(before.received()).toBe('')
    expect(during.received()).toBe('')
    expect([before.ended(), during.ended()]).toEqual(['open', 'open'])
    proxy.heal()
    expect(await until(() => before.received() === '+PONG\r\n')).toBe(true)
    expect(await until(() => during.received() === '$4\r\nheld\r\n')).toBe(true)
  })

  it('resets open connections and every new one', async () => {
    const c = await open()
    proxy.set('reset')
    expect(await until(() => c.ended() === 'reset')).toBe(true)
    const fresh = connect(proxy.port, '127.0.0.1')
    sockets.push(fresh)
    const error = await new Promise<NodeJS.ErrnoException>((resolve) =>
      fresh.once('error', resolve),
    )
    expect(error.code).toBe('ECONNRESET')
    expect(proxy.stats().resets).toBe(2)
  })

  it('truncates the next reply and closes the connection', async () => {
    const c = await open()
    await server.cli(['SET', 'long', 'x'.repeat(1_000)])
    proxy.set('truncate', { truncateAfter: 8 })
    c.socket.write('GET long\r\n')
    expect(await until(() => c.ended() === 'end')).toBe(true)
    expect(c.received()).toBe('$1000\r\nx') // 8 bytes of a 1,009-byte reply
    expect(proxy.stats().truncated).toBe(1)
  })

  it('makes connections half-open: the server forgets them, the client hears nothing, then a RST', async () => {
    const c = await open()
    c.socket.write('PING\r\n')
    expect(await until(() => c.received() === '+PONG\r\n')).toBe(true)
    expect(await clientCount()).toBe(1)
    proxy.set('half-open')
    expect(await until(async () => (await clientCount()) === 0)).toBe(true)
    c.socket.write('PING\r\n')
    await sleep(200)
    expect(c.received()).toBe('+PONG\r\n') // nothing more
    expect(c.ended()).toBe('open')
    proxy.heal()
    c.socket.write('PING\r\n') // the peer does not know this connection any more
    expect(await until(() => c.ended() === 'reset')).toBe(true)
    // New connections work again.
    const fresh = await open()
    fresh.socket.write('PING\r\n')
    expect(await until(() => fresh.received() === '+PONG\r\n')).toBe(true)
  })

  it('can leave half-open connections silent for good', async () => {
    const c = await open()
    proxy.set('half-open', { silentAfterHeal: true })
    proxy.heal()
    c.socket.write('PING\r\n')
    await sleep(300)
    expect([c.received(), c.ended()]).toEqual(['', 'open'])
    expect(proxy.stats().bytesSwallowed).toBe(6)
  })
})
