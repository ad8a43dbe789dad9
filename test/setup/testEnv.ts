// The integration tests' own infrastructure: a separate database, Redis
// logical db and Temporal dev server port, so a run never touches dev data.
// Each can be overridden with a TEST_* variable.
export const TEST_ENV = {
  DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/railbook_test',
  REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15',
  TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS ?? '127.0.0.1:7243',
  TEMPORAL_UI_PORT: process.env.TEST_TEMPORAL_UI_PORT ?? '8243',
  TEMPORAL_NAMESPACE: 'railbook',
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  // Worker processes spawned by tests take any free metrics port, never a running dev worker's 9464.
  WORKER_METRICS_ADDRESS: '127.0.0.1:0',
  // A PDF render takes ~0.8 s under jest (~30 ms under tsx): only the ticket test attaches them (config/index.ts).
  TICKET_PDF_ATTACH: 'off',
  // Every test file registers its travellers from 127.0.0.1 and the files share one Redis store: the production
  // limit (30 a minute per IP) is shared by all of them and was reached once 20-odd files ran together.
  // test/integration/abuse.test.ts sets its own low limit to test it.
  RATE_LIMIT_REGISTRATIONS_PER_IP: '10000',
  // Files book runs up to 140 days ahead, each its own days (test/helpers/stack.ts futureDate), past the 60-day
  // advance reservation period; railway.quotas.test.ts tests the period itself.
  BOOKING_ADVANCE_DAYS: '200',
  // One general pool per class: the files of other features count its berths. railway.quotas.test.ts turns it on.
  QUOTA_POOLS: 'off',
} as const;
