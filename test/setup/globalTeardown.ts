export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __temporalTestServer?: { stop(): Promise<void> } }).__temporalTestServer;
  await server?.stop();
}
