// The fuzzer's own stack when no --base-url is given: what the integration
// tests use (test/setup/globalSetup: Temporal dev server, a freshly created and
// seeded database, an empty Redis db; test/helpers/stack: API on a free port,
// worker, SMTP catcher), on the isolated settings in the TEST_* variables.
import type { Stack } from '../test/helpers/stack';

/** Where the fuzzer's own stack lives unless TEST_* says otherwise: never the dev or test defaults. */
export const FUZZ_ENV_DEFAULTS = {
  TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/railbook_fuzz',
  TEST_REDIS_URL: 'redis://127.0.0.1:6379/14',
  TEST_TEMPORAL_ADDRESS: '127.0.0.1:7263',
  TEST_TEMPORAL_UI_PORT: '8263',
};

/**
 * Rate limits high enough that thousands of requests from one client are judged on what they are, not
 * refused as a flood (a 429 RATE_LIMITED is a documented answer, but it would hide everything behind it),
 * and the API's own waits under the fuzzer's deadline.
 */
export const FUZZ_STACK_OVERRIDES: Record<string, string> = {
  RATE_LIMIT_WRITES_PER_USER: '10000000',
  RATE_LIMIT_WRITES_PER_IP: '10000000',
  RATE_LIMIT_LOGINS_PER_ACCOUNT: '10000',
  RATE_LIMIT_REGISTRATIONS_PER_IP: '10000',
  // A payment answers 202 after this long if the charge is still running: keep it under the fuzzer's deadline.
  PAYMENT_WAIT_SECONDS: '3',
};

export async function startOwnStack(log: (m: string) => void): Promise<{ stack: Stack; stop(): Promise<void> }> {
  for (const [k, v] of Object.entries(FUZZ_ENV_DEFAULTS)) process.env[k] ??= v;
  log(`own stack: database ${process.env.TEST_DATABASE_URL}, redis ${process.env.TEST_REDIS_URL}, temporal ${process.env.TEST_TEMPORAL_ADDRESS}`);
  // Imported only now: their settings are read from the environment when loaded.
  const { default: globalSetup } = await import('../test/setup/globalSetup');
  const { default: globalTeardown } = await import('../test/setup/globalTeardown');
  const { startStack } = await import('../test/helpers/stack');
  await globalSetup();
  const stack = await startStack('fuzz', FUZZ_STACK_OVERRIDES);
  return {
    stack,
    async stop() {
      await stack.close();
      await globalTeardown();
    },
  };
}
