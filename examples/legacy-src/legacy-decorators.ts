// @memoize() in a project compiled with experimentalDecorators + emitDecoratorMetadata, as
// NestJS and TypeORM applications are. Same import, same behaviour; metadata stays readable.
import 'reflect-metadata'
import { memoize } from '@memokit/core'

/** A framework-style decorator that records metadata on the method, like @Get() in NestJS. */
function Route(path: string): MethodDecorator {
  return (target, key) => Reflect.defineMetadata('route', path, target, key)
}

class ProductController {
  calls = 0

  @Route('/products/:id')
  @memoize()
  async find(id: number): Promise<{ id: number; name: string }> {
    this.calls++
    return { id, name: `product ${id}` }
  }
}

const controller = new ProductController()
await Promise.all([controller.find(1), controller.find(1)])
console.log(await controller.find(1), `calls: ${controller.calls}`)
console.log('route:', Reflect.getMetadata('route', ProductController.prototype, 'find'))
console.log(
  'design:paramtypes:',
  (
    Reflect.getMetadata('design:paramtypes', ProductController.prototype, 'find') as Array<{
      name: string
    }>
  ).map((type) => type.name),
)

// Output:
// { id: 1, name: 'product 1' } calls: 1
// route: /products/:id
// design:paramtypes: [ 'Number' ]
