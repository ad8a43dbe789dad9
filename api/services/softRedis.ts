// Redis is a cache only (docs/architecture.md, "PNRs, idempotency and Redis"):
// a cache call must never fail or hold up the request that makes it.

/** How long a cache call may take before it counts as a miss. */
export const CACHE_TIMEOUT_MS = 250;

/** A Redis call that never fails the request: an error or a hung Redis reads as a miss (null). */
export async function softRedis<T>(op: Promise<T>, timeoutMs = CACHE_TIMEOUT_MS): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), timeoutMs);
  });
  try {
    return await Promise.race([op, timeout]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
