import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig, type Config } from '../../config';

/** Config for a test: the globalSetup's environment plus per-test overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, ...overrides });
}

/** A task queue of the test's own, so parallel test files never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `test-${prefix}-${process.pid}-${Date.now().toString(36)}`;
}

/** Keeps the SDK's chatter (bundle sizes, worker states, expected activity failures) out of test output. */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed in this test file's module registry
  }
}
