import { buildApp, type App } from '../../api/app';
import { testConfig } from './config';

export async function testApp(overrides: Record<string, string> = {}): Promise<App> {
  const app = await buildApp(testConfig(overrides), { logger: false });
  await app.ready();
  return app;
}

let counter = 0;
/** An email no other test (or earlier run against the same database) uses. */
export function uniqueEmail(tag: string): string {
  counter += 1;
  return `${tag}.${process.pid}.${Date.now().toString(36)}.${counter}@example.test`;
}
