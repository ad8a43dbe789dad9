// Postgres errors reach callers wrapped (drizzle's DrizzleQueryError keeps the
// pg error as its cause): classify them by SQLSTATE, wherever it sits.

/** The Postgres error code (SQLSTATE) of err or of any error in its cause chain. */
export function pgCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
