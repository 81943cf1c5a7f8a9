import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda'

/** `LambdaClient` settings for a client of a local server; `endpoint` is the server's. */
export type LocalLambdaClientOptions = Omit<LambdaClientConfig, 'endpoint'>

/**
 * A real `LambdaClient` pointed at a `LocalLambdaServer` (or any endpoint URL): static
 * credentials, the server's region, and `maxAttempts: 1` so a test sees each answer as it is.
 * Pass `maxAttempts` (and any other `LambdaClientConfig`) to exercise the SDK's retries; note
 * that the SDK honours `Retry-After` between attempts.
 *
 * On Node 20 the SDK prints a support warning once per process; set
 * `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true` to silence it.
 */
export function createLocalLambdaClient(
  server: { readonly endpoint: string; readonly region?: string } | string,
  options: LocalLambdaClientOptions = {},
): LambdaClient {
  const endpoint = typeof server === 'string' ? server : server.endpoint
  const region = typeof server === 'string' ? 'us-east-1' : (server.region ?? 'us-east-1')
  return new LambdaClient({
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    ...options,
    endpoint,
  })
}
