// Recorded workflow histories for the replay test (test/unit/replay.test.ts).
// `RECORD_HISTORIES=1 npx jest --selectProjects integration --testPathPatterns <file>`
// writes the histories a test file names that do not exist yet; existing ones
// are frozen and never rewritten (docs/architecture.md, "Changing a workflow safely").
// The Temporal CLI writes them, in the JSON form `temporal workflow show -o json` uses.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureTemporalCli } from '../../temporal/devServer';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'fixtures', 'histories');

export const recording = process.env.RECORD_HISTORIES === '1';

const fixtureFile = (name: string) => path.join(HISTORIES_DIR, `${name}.json`);

/**
 * Writes a new fixture. An existing one is frozen (a running workflow of that
 * shape may exist in production): it is never overwritten, so a test that
 * records several histories can add one without touching the others.
 */
export async function recordHistory(address: string, namespace: string, workflowId: string, name: string): Promise<void> {
  if (existsSync(fixtureFile(name))) return;
  const cli = await ensureTemporalCli(() => undefined);
  const { stdout } = await promisify(execFile)(
    cli,
    ['workflow', 'show', '--workflow-id', workflowId, '--address', address, '--namespace', namespace, '--output', 'json'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  await writeHistoryFixture(name, stdout);
}

/** Writes a new fixture from a history already fetched; an existing one is frozen, as above. */
export async function writeHistoryFixture(name: string, json: string): Promise<void> {
  const file = fixtureFile(name);
  if (existsSync(file)) return;
  await mkdir(HISTORIES_DIR, { recursive: true });
  await writeFile(file, json);
}
