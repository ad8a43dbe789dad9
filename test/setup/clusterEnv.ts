// The `cluster` jest project's infrastructure: the real Temporal server on Postgres (its own
// ports and databases, temporal/serverConfig.ts `test` layout), an app database and a Redis
// logical db of its own, so it never touches the dev-server suite's or the cluster's data.
// Each can be overridden with a TEST_CLUSTER_* variable.
import { PORTS } from '../../temporal/serverConfig';

export const CLUSTER_TEST_ENV = {
  DATABASE_URL: process.env.TEST_CLUSTER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/railbook_test_cluster',
  REDIS_URL: process.env.TEST_CLUSTER_REDIS_URL ?? 'redis://127.0.0.1:6379/13',
  TEMPORAL_ADDRESS: `127.0.0.1:${PORTS.test.frontend}`,
  TEMPORAL_UI_PORT: String(PORTS.test.ui),
  TEMPORAL_UI_URL: `http://127.0.0.1:${PORTS.test.ui}`,
  TEMPORAL_NAMESPACE: 'railbook',
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  WORKER_METRICS_ADDRESS: '127.0.0.1:0',
  // As the dev-server suite (test/setup/testEnv.ts): its dates are past the 60-day period, and it counts one pool.
  BOOKING_ADVANCE_DAYS: '200',
  QUOTA_POOLS: 'off',
} as const;
