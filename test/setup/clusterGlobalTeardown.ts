export default async function clusterGlobalTeardown(): Promise<void> {
  const server = (globalThis as { __temporalClusterServer?: { stop(): Promise<void> } }).__temporalClusterServer;
  await server?.stop();
}
