// Runs in jest's parent process; the variable reaches every test worker.
export default function globalSetup(): void {
  // The AWS SDK warns once per process on Node 20; the tests run on Node 20 on purpose.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
}
