// Usage: npx tsx scripts/ui-screenshot.ts <PNR> [out.png]
//
// Opens the development Temporal UI (TEMPORAL_UI_URL, default http://127.0.0.1:8233)
// in headless Chromium, filters the workflow list by `Pnr = '<PNR>'`, and saves
// a full-page screenshot of the list (default var/screenshots/booking-<PNR>.png)
// and of the booking's workflow page, User Metadata tab (…-workflow.png).
// Chromium comes from scripts/ensure-chromium.sh (CHROMIUM_PATH, /usr/bin/chromium,
// or Debian's package when run as root). See docs/support-runbook.md.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../config';
import { screenshotBookingInUi } from '../test/ui/temporalUi';

const repoRoot = path.resolve(__dirname, '..');

function findChromium(): string {
  try {
    const out = execFileSync('sh', [path.join(repoRoot, 'scripts', 'ensure-chromium.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return out.trim().split('\n').pop() ?? '';
  } catch {
    throw new Error('no Chromium available (see the message above)');
  }
}

async function main(args: string[]): Promise<number> {
  const [pnr, out] = args;
  if (!pnr || args.length > 2 || !/^[A-Za-z0-9]{1,32}$/.test(pnr)) {
    process.stderr.write('usage: npx tsx scripts/ui-screenshot.ts <PNR> [out.png]\n');
    return 2;
  }
  const config = loadConfig();
  const outFile = path.resolve(out ?? path.join(repoRoot, 'var', 'screenshots', `booking-${pnr}.png`));
  const workflowOutFile = outFile.replace(/(\.png)?$/i, '-workflow.png');
  const chromiumPath = findChromium();

  const result = await screenshotBookingInUi({
    uiUrl: config.temporal.uiUrl,
    namespace: config.temporal.namespace,
    pnr,
    outFile,
    workflowOutFile,
    chromiumPath,
  });
  console.log(`list:     ${result.url}`);
  console.log(`          ${outFile}`);
  if (!result.foundRow) {
    console.error(`booking-${pnr} not found in namespace ${config.temporal.namespace} at ${config.temporal.uiUrl} (the screenshot shows what the UI showed)`);
    return 1;
  }
  console.log(`workflow: ${result.workflowUrl ?? '(not opened)'}`);
  console.log(`          ${workflowOutFile}${result.foundSummary ? '' : '  (no booking summary found on the page)'}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
