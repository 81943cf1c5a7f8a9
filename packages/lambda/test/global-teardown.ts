// Nothing to stop: every test starts and closes its own LocalLambdaServer.
export default function globalTeardown(): void {}
