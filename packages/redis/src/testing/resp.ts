import { connect, createServer, type AddressInfo } from 'node:net'

/** A reply as read by {@link respCommand}: errors come back as `Error` values, not throws. */
export type RespReply = string | number | null | Error | RespReply[]

/**
 * Returns a TCP port that was free on 127.0.0.1 a moment ago (bind to port 0, read, close).
 *
 * @internal
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

function encode(args: readonly (string | number | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const arg of args) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'utf8')
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

/** Parses one RESP2 reply from `data` at `offset`; `undefined` when more bytes are needed. */
function parse(data: Buffer, offset: number): [RespReply, number] | undefined {
  const end = data.indexOf('\r\n', offset)
  if (end < 0) return undefined
  const type = String.fromCharCode(data[offset] ?? 0)
  const line = data.toString('utf8', offset + 1, end)
  switch (type) {
    case '+':
      return [line, end + 2]
    case '-':
      return [new Error(line), end + 2]
    case ':':
      return [Number(line), end + 2]
    case '$': {
      const length = Number(line)
      if (length < 0) return [null, end + 2]
      if (data.length < end + 2 + length + 2) return undefined
      return [data.toString('utf8', end + 2, end + 2 + length), end + 2 + length + 2]
    }
    case '*': {
      const count = Number(line)
      if (count < 0) return [null, end + 2]
      const items: RespReply[] = []
      let position = end + 2
      for (let i = 0; i < count; i++) {
        const item = parse(data, position)
        if (item === undefined) return undefined
        items.push(item[0])
        position = item[1]
      }
      return [items, position]
    }
    default:
      return [new Error(`unexpected RESP type ${JSON.stringify(type)}`), data.length]
  }
}

/**
 * Sends one command to a Redis on 127.0.0.1 over a fresh connection and reads its reply
 * (RESP2). Used to probe and configure throwaway servers without a client library.
 *
 * @internal
 */
export function respCommand(
  port: number,
  args: readonly (string | number | Buffer)[],
  timeout = 2_000,
): Promise<RespReply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let buffer = Buffer.alloc(0)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no reply from 127.0.0.1:${port} within ${timeout} ms`))
    }, timeout)
    const finish = (error: Error | undefined, reply?: RespReply): void => {
      clearTimeout(timer)
      socket.destroy()
      if (error) reject(error)
      else resolve(reply ?? null)
    }
    socket.on('connect', () => socket.write(encode(args)))
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      const parsed = parse(buffer, 0)
      if (parsed !== undefined) finish(undefined, parsed[0])
    })
    socket.on('error', (error) => finish(error))
    socket.on('close', () => finish(new Error(`connection to 127.0.0.1:${port} closed`)))
  })
}
