// py-memoize tests/end2end/test_showcase.py: the whole life of one entry, step by step.
import {
  CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  memoize,
  settle,
} from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'

describe('the py-memoize showcase', () => {
  it.each(['decorated', 'function'] as const)(
    'serves fresh, stale, refreshed and expired values in order (%s)',
    async (form) => {
      // given: refresh after 400 ms, expire after 800 ms; the source returns `value` or throws
      const clock = new FakeClock()
      const configuration = DefaultInMemoryCacheConfiguration({
        clock,
        updateAfter: 400,
        expireAfter: 800,
      })
      let value = 'ok #1'
      let shouldThrow = false
      let executions = 0
      const source = async (): Promise<string> => {
        executions++
        if (shouldThrow) throw new Error(value)
        return value
      }
      let get: (arg: string) => Promise<string>
      if (form === 'function') get = memoize(async (_arg: string) => source(), { configuration })
      else {
        class Showcase {
          @memoize({ configuration })
          async get(_arg: string): Promise<string> {
            return source()
          }
        }
        const showcase = new Showcase()
        get = (arg) => showcase.get(arg)
      }
      const step = async (advance: number): Promise<string> => {
        clock.advance(advance)
        const result = await get('x')
        await settle() // background refreshes started by this call finish
        return result
      }

      // step 1, t=0: computed
      expect(await step(0)).toBe('ok #1')
      // step 2, t=400: stale; a background refresh stores 'ok #2'
      value = 'ok #2'
      expect(await step(400)).toBe('ok #1')
      // step 3, t=500: fresh
      value = 'ok #3'
      expect(await step(100)).toBe('ok #2')
      // step 4, t=600: fresh although the source now throws
      shouldThrow = true
      expect(await step(100)).toBe('ok #2')
      // step 5, t=1000: stale; the background refresh fails and the entry stays
      expect(await step(400)).toBe('ok #2')
      // step 6, t=1100: stale; another background refresh fails
      expect(await step(100)).toBe('ok #2')
      // step 7, t=1900: expired; the blocking refresh fails
      value = 'throws #4'
      const error = await step(800).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CachedMethodFailedError)
      expect((error as CachedMethodFailedError).message).toBe('Refresh failed to complete')
      expect(((error as CachedMethodFailedError).cause as Error).message).toBe('throws #4')
      // 1 + refresh at step 2 + failed refreshes at steps 5, 6, 7
      expect(executions).toBe(5)
    },
  )
})
