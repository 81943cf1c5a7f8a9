// Standard decorators only: legacy experimentalDecorators cannot decorate #private methods.
import { memoize } from '@memokit/core'

it('memoizes #private methods (standard decorators)', async () => {
  let calls = 0
  class Secret {
    @memoize()
    async #compute(x: number): Promise<number> {
      calls++
      return x * 2
    }
    run(x: number): Promise<number> {
      return this.#compute(x)
    }
  }
  const secret = new Secret()
  expect([await secret.run(2), await secret.run(2), await secret.run(3)]).toEqual([4, 4, 6])
  expect(calls).toBe(2)
})
