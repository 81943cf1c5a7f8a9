/**
 * Test helpers for code that invokes Lambda: `LocalLambdaServer`, a loopback HTTP server that
 * speaks the Lambda Invoke REST API and runs registered JavaScript handlers, with fault
 * injection; and `createLocalLambdaClient`, a real `LambdaClient` pointed at it.
 *
 * @packageDocumentation
 */
export {
  LocalLambdaServer,
  type LocalLambdaServerOptions,
  type LocalFunctionOptions,
  type LocalInvocation,
  type LocalInvocationType,
} from './local-lambda-server.js'
export { createLocalLambdaClient, type LocalLambdaClientOptions } from './local-lambda-client.js'
export type { LocalLambdaContext, LocalLambdaHandler } from './local-lambda-context.js'
export type { LocalLambdaFault, FaultSelector, FaultHandle } from './faults.js'
