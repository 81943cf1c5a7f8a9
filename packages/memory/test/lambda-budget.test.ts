import { FakeClock } from '@memokit/core/testing'
import {
  FaasCacheMap,
  LAMBDA_MEMORY_FRACTION,
  MemoryCacheStorage,
  lambdaMemoryBudget,
} from '@memokit/memory'

const MiB = 1024 * 1024

describe('the default byte budget on AWS Lambda', () => {
  const saved = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE
    else process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = saved
  })

  it('is a quarter of the function memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, in MB)', () => {
    expect(LAMBDA_MEMORY_FRACTION).toBe(0.25)
    expect(lambdaMemoryBudget({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' })).toBe(32 * MiB)
    expect(lambdaMemoryBudget({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024' })).toBe(256 * MiB)
    expect(lambdaMemoryBudget({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '10240' })).toBe(2560 * MiB)
  })

  it('is undefined off Lambda or for a value that is not a positive number', () => {
    for (const value of [undefined, '', ' ', 'abc', '0', '-128', 'Infinity'])
      expect(lambdaMemoryBudget({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: value })).toBeUndefined()
  })

  it('applies when maxSizeBytes is not given', () => {
    process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = '512'
    const clock = new FakeClock()
    expect(new FaasCacheMap({ clock }).maxSizeBytes).toBe(128 * MiB)
    expect(new FaasCacheMap({ clock, maxSizeBytes: undefined }).maxSizeBytes).toBe(128 * MiB)
    expect(new MemoryCacheStorage({ clock }).maxSizeBytes).toBe(128 * MiB)
  })

  it('gives way to an explicit budget, or to null for none', () => {
    process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = '512'
    const clock = new FakeClock()
    expect(new FaasCacheMap({ clock, maxSizeBytes: '8M' }).maxSizeBytes).toBe(8 * MiB)
    expect(new FaasCacheMap({ clock, maxSizeBytes: null }).maxSizeBytes).toBeUndefined()
    expect(new MemoryCacheStorage({ clock, maxSizeBytes: null }).maxSizeBytes).toBeUndefined()
  })

  it('is absent off Lambda: no byte limit unless one is given', () => {
    delete process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE
    expect(new FaasCacheMap({ clock: new FakeClock() }).maxSizeBytes).toBeUndefined()
  })
})
