/**
 * The bytes memokit stores in Redis and sends over pub/sub (format version 1):
 *
 * ```
 * offset 0  'M' 'K'           magic
 *        2  0x01              format version
 *        3  kind              'E' entry, 'D' update done (payload: the entry), 'N' update done
 *                             (no payload), 'F' update failed (payload: JSON error summary),
 *                             'S' update superseded
 *        4  flags             bit 0: the payload is UTF-8 text (the SerDe returned a string)
 *        5  uint32 BE         byte length of the Redis name
 *        9  Redis name        UTF-8 (namespace + kind + escaped key)
 *        …  payload           the SerDe's output, as is
 * ```
 *
 * The header repeats the full Redis name, so a value copied under another key (or from another
 * namespace) is recognised and ignored. Payloads are opaque bytes, so binary SerDe output
 * (compression, MessagePack) works.
 *
 * @internal
 */
export const ENVELOPE_VERSION = 1

export type EnvelopeKind = 'E' | 'D' | 'N' | 'F' | 'S'

const HEADER = 9
const TEXT = 1

/** Why an envelope was refused. */
export type EnvelopeDefect = 'not an envelope' | 'unknown version' | 'wrong key' | 'wrong kind'

export interface DecodedEnvelope {
  readonly kind: EnvelopeKind
  /** A string when the SerDe produced text, else the bytes. */
  readonly payload: string | Buffer
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** @internal */
export function encodeEnvelope(
  kind: EnvelopeKind,
  name: string,
  payload: Uint8Array | string = '',
): Buffer {
  const nameBytes = Buffer.byteLength(name, 'utf8')
  const text = typeof payload === 'string'
  const payloadBytes = text ? Buffer.byteLength(payload, 'utf8') : payload.byteLength
  const out = Buffer.allocUnsafe(HEADER + nameBytes + payloadBytes)
  out[0] = 0x4d
  out[1] = 0x4b
  out[2] = ENVELOPE_VERSION
  out[3] = kind.charCodeAt(0)
  out[4] = text ? TEXT : 0
  out.writeUInt32BE(nameBytes, 5)
  out.write(name, HEADER, 'utf8')
  if (text) out.write(payload, HEADER + nameBytes, 'utf8')
  else out.set(payload, HEADER + nameBytes)
  return out
}

/**
 * Checks and opens an envelope. Returns a defect instead of throwing: callers count it and
 * treat the value as a miss. Text payloads that are not valid UTF-8 throw `TypeError` from the
 * decoder; callers handle that as corrupt data too.
 *
 * @internal
 */
export function decodeEnvelope(
  data: Buffer,
  name: string,
  kinds: string,
): DecodedEnvelope | EnvelopeDefect {
  if (data.length < HEADER || data[0] !== 0x4d || data[1] !== 0x4b) return 'not an envelope'
  if (data[2] !== ENVELOPE_VERSION) return 'unknown version'
  const kind = String.fromCharCode(data[3]!)
  if (!kinds.includes(kind)) return 'wrong kind'
  const nameBytes = data.readUInt32BE(5)
  const start = HEADER + nameBytes
  if (start > data.length || data.toString('utf8', HEADER, start) !== name) return 'wrong key'
  const bytes = data.subarray(start)
  const payload = (data[4]! & TEXT) !== 0 ? utf8.decode(bytes) : bytes
  return { kind: kind as EnvelopeKind, payload }
}
