/** What the queue orders: anything with an expiry instant and the queue's bookkeeping slots. */
export interface Expiring {
  expiresAt: number
  /**
   * Where the item is queued, owned by {@link ExpiryQueue}: `NOT_QUEUED`, a heap position
   * (>= 0), or a lane (`LANE_BASE - laneNumber`).
   */
  queueSlot: number
  /** Neighbours in its lane, owned by {@link ExpiryQueue}. */
  laneEarlier: Expiring | undefined
  laneLater: Expiring | undefined
}

/** @internal */
export const NOT_QUEUED = -1
const LANE_BASE = -2
const LANES = 4

/** A FIFO list whose expiry instants never decrease from head to tail. */
interface Lane {
  head: Expiring | undefined
  tail: Expiring | undefined
}

/**
 * The expiry instants of a store, earliest first, in O(1) for the usual traffic.
 *
 * Entries written with one fixed TTL on a clock that moves forward expire in the order they
 * were written, so a FIFO list keeps them sorted: appending, removing any entry (it is doubly
 * linked) and finding the earliest are O(1). A few such lists ("lanes") serve a few distinct
 * TTLs interleaved; an item is appended to the lane whose last expiry is the latest one not
 * after its own (or to an empty lane). Only items that fit no lane (out-of-order expiries
 * from `setTtl`/`expireAt`, more distinct TTLs than lanes, a clock set back) go to a binary
 * heap, O(log n). The earliest item is the earliest of the lane heads and the heap top.
 *
 * @internal
 */
export class ExpiryQueue<T extends Expiring> {
  readonly #lanes: Lane[] = Array.from({ length: LANES }, () => ({
    head: undefined,
    tail: undefined,
  }))
  readonly #heap: T[] = []
  #size = 0

  /** Items queued. */
  get size(): number {
    return this.#size
  }

  /** The item that expires first, if any. */
  peek(): T | undefined {
    let first = this.#heap[0]
    for (const lane of this.#lanes) {
      const head = lane.head as T | undefined
      if (head !== undefined && (first === undefined || head.expiresAt < first.expiresAt))
        first = head
    }
    return first
  }

  add(item: T): void {
    this.#size++
    const expiresAt = item.expiresAt
    let chosen = -1
    let chosenTail = -Infinity
    let empty = -1
    for (let i = 0; i < LANES; i++) {
      const tail = (this.#lanes[i] as Lane).tail
      if (tail === undefined) {
        if (empty < 0) empty = i
      } else if (tail.expiresAt <= expiresAt && tail.expiresAt >= chosenTail) {
        chosen = i
        chosenTail = tail.expiresAt
      }
    }
    if (chosen < 0) chosen = empty
    if (chosen >= 0) this.#append(chosen, item)
    else this.#heapAdd(item)
  }

  remove(item: T): void {
    const slot = item.queueSlot
    if (slot === NOT_QUEUED) return
    this.#size--
    if (slot >= 0) this.#heapRemove(item)
    else this.#unlink(LANE_BASE - slot, item)
  }

  /** Call after changing `item.expiresAt` of a queued item. */
  update(item: T): void {
    this.remove(item)
    this.add(item)
  }

  clear(): void {
    for (const lane of this.#lanes) {
      for (let item = lane.head; item !== undefined;) {
        const later = item.laneLater
        item.queueSlot = NOT_QUEUED
        item.laneEarlier = item.laneLater = undefined
        item = later
      }
      lane.head = lane.tail = undefined
    }
    for (const item of this.#heap) item.queueSlot = NOT_QUEUED
    this.#heap.length = 0
    this.#size = 0
  }

  // ---------------------------------------------------------------------------------------
  // Lanes

  #append(index: number, item: T): void {
    const lane = this.#lanes[index] as Lane
    item.queueSlot = LANE_BASE - index
    item.laneEarlier = lane.tail
    item.laneLater = undefined
    if (lane.tail === undefined) lane.head = item
    else lane.tail.laneLater = item
    lane.tail = item
  }

  #unlink(index: number, item: T): void {
    const lane = this.#lanes[index] as Lane
    const { laneEarlier, laneLater } = item
    if (laneEarlier === undefined) lane.head = laneLater
    else laneEarlier.laneLater = laneLater
    if (laneLater === undefined) lane.tail = laneEarlier
    else laneLater.laneEarlier = laneEarlier
    item.laneEarlier = item.laneLater = undefined
    item.queueSlot = NOT_QUEUED
  }

  // ---------------------------------------------------------------------------------------
  // Heap (queueSlot is the position)

  #heapAdd(item: T): void {
    item.queueSlot = this.#heap.length
    this.#heap.push(item)
    this.#up(item.queueSlot)
  }

  #heapRemove(item: T): void {
    const index = item.queueSlot
    item.queueSlot = NOT_QUEUED
    const last = this.#heap.pop() as T
    if (last === item) return
    this.#heap[index] = last
    last.queueSlot = index
    if (index > 0 && this.#less(index, (index - 1) >> 1)) this.#up(index)
    else this.#down(index)
  }

  #less(a: number, b: number): boolean {
    return (this.#heap[a] as T).expiresAt < (this.#heap[b] as T).expiresAt
  }

  #swap(a: number, b: number): void {
    const heap = this.#heap
    const first = heap[a] as T
    const second = heap[b] as T
    heap[a] = second
    heap[b] = first
    second.queueSlot = a
    first.queueSlot = b
  }

  #up(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!this.#less(index, parent)) return
      this.#swap(index, parent)
      index = parent
    }
  }

  #down(index: number): void {
    const length = this.#heap.length
    for (;;) {
      const left = 2 * index + 1
      if (left >= length) return
      const right = left + 1
      const child = right < length && this.#less(right, left) ? right : left
      if (!this.#less(child, index)) return
      this.#swap(index, child)
      index = child
    }
  }
}
