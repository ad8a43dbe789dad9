// The Postgres-backed Temporal server's settings, as data: versions, port layouts, the
// server's YAML config, the UI server's config and the schema steps of the sql tool.
//
// Pure (no I/O; the dynamic config is a file beside this one): temporal/server.ts writes and runs what this returns, and
// test/unit/compose.test.ts compares docker-compose.yml with the same values, so the
// topology is described once.

import * as path from 'node:path';

import { stringify } from 'yaml';

import { SEARCH_ATTRIBUTES } from '../contracts/searchAttributes';

/** The server the CLI v1.5.1 dev server embeds (its go.mod), so both run the same engine. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** The UI the CLI v1.5.1 embeds. */
export const TEMPORAL_UI_VERSION = '2.42.1';

export const SERVER_GO_PACKAGES = [
  `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
  `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
];
export const UI_GO_PACKAGE = `github.com/temporalio/ui-server/v2/cmd/server@v${TEMPORAL_UI_VERSION}`;

/** The SQL plugin for Postgres 12+ (persistence and visibility). */
export const SQL_PLUGIN = 'postgres12';
/** Schemas embedded in the sql tool (`--schema-name`): no schema files needed on disk. */
export const SCHEMA_NAMES = { persistence: 'postgresql/v12/temporal', visibility: 'postgresql/v12/visibility' } as const;

/**
 * Fixed when the persistence database is first set up: changing it later needs a new
 * database. 4 is enough for one machine (auto-setup's default too); a real cluster sizes it
 * for its largest expected history throughput (e.g. 512+), see docs/architecture.md.
 */
export const NUM_HISTORY_SHARDS = 4;
export const NAMESPACE = 'railbook';
/** How long closed workflow histories are kept (the namespace's retention). */
export const NAMESPACE_RETENTION_HOURS = 72;

/** Custom search attributes, in the sql tool's / CLI's `Name:Type` notation. */
export function searchAttributeSpecs(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).map(([name, kind]) => `${name}:${kind}`);
}

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  /** ringpop membership ports, one per service */
  membership: { frontend: number; history: number; matching: number; worker: number };
  /** Prometheus scrape endpoint of the server's own metrics */
  metrics: number;
  ui: number;
}

/**
 * Port layouts. The cluster uses Temporal's defaults (7233, 6933–6939), so nothing else
 * changes for the app; it therefore cannot run beside the dev server of `npm run dev`
 * (also 7233): temporal/server.ts refuses to start while one holds the port. Tests and the
 * benchmark have blocks of their own (never the dev/test servers' 7243/8243, 7253/8253, the
 * chaos 7270/7280, the fuzz 7263); the benchmark's frontend, UI and metrics are its dev server's.
 */
export const PORTS = {
  cluster: {
    frontend: 7233,
    frontendHttp: 7237,
    history: 7234,
    matching: 7235,
    worker: 7239,
    membership: { frontend: 6933, history: 6934, matching: 6935, worker: 6939 },
    metrics: 9090,
    ui: 8233,
  },
  test: {
    frontend: 7290,
    frontendHttp: 7294,
    history: 7291,
    matching: 7292,
    worker: 7293,
    membership: { frontend: 6920, history: 6921, matching: 6922, worker: 6923 },
    metrics: 7295,
    ui: 8290,
  },
  // The benchmark's (bench/lib/stack.ts): its dev server's frontend, UI and metrics ports.
  bench: {
    frontend: 7320,
    frontendHttp: 7324,
    history: 7321,
    matching: 7322,
    worker: 7323,
    membership: { frontend: 6910, history: 6911, matching: 6912, worker: 6913 },
    metrics: 9492,
    ui: 8320,
  },
} as const satisfies Record<string, ServerPorts>;

/** Database names per layout: a test or bench run never touches the cluster's data. */
export const DATABASES = {
  cluster: { persistence: 'temporal', visibility: 'temporal_visibility' },
  test: { persistence: 'temporal_test', visibility: 'temporal_visibility_test' },
  bench: { persistence: 'temporal_bench', visibility: 'temporal_visibility_bench' },
} as const;

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** host/port/user/password of a postgres:// URL (the app's DATABASE_URL). */
export function postgresTarget(databaseUrl: string): PostgresTarget {
  const u = new URL(databaseUrl);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
  };
}

/** Connection pool sizes per datastore (the compose file's SQL_MAX_CONNS / SQL_VIS_MAX_CONNS). */
export const SQL_MAX_CONNS = { persistence: 20, visibility: 10 } as const;

export interface ServerConfigInput {
  ports: ServerPorts;
  databases: { persistence: string; visibility: string };
  postgres: PostgresTarget;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/** The server's static config (the shape of go.temporal.io/server/common/config.Config). */
export function serverConfig(input: ServerConfigInput): Record<string, unknown> {
  const { ports, databases, postgres } = input;
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: SQL_PLUGIN,
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnIP: '127.0.0.1', ...extra },
  });
  return {
    log: { stdout: true, level: input.logLevel ?? 'warn', format: 'json' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: NUM_HISTORY_SHARDS,
      datastores: {
        'postgres-default': store(databases.persistence, SQL_MAX_CONNS.persistence),
        'postgres-visibility': store(databases.visibility, SQL_MAX_CONNS.visibility),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: {
        prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${ports.metrics}` },
      },
    },
    services: {
      frontend: rpc(ports.frontend, ports.membership.frontend, { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, ports.membership.history),
      matching: rpc(ports.matching, ports.membership.matching),
      worker: rpc(ports.worker, ports.membership.worker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    // No archival on one machine: retention deletes closed histories (docs/architecture.md).
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: DYNAMIC_CONFIG_FILE, pollInterval: '10s' },
  };
}

/** Dynamic config (polled every 10 s), shared with docker-compose.yml, which mounts it. */
export const DYNAMIC_CONFIG_FILE = path.join(__dirname, 'dynamicconfig.yaml');

/**
 * SQL visibility stores custom search attributes in fixed columns: 10 Keyword (and
 * KeywordList) and 3 of every other type per namespace. Registering more fails at start.
 */
export const SQL_VISIBILITY_LIMITS: Record<string, number> = { Keyword: 10, KeywordList: 3, Text: 3, Int: 3, Double: 3, Bool: 3, Datetime: 3 };

/** Search attribute types over the SQL visibility limits (empty when they all fit). */
export function overVisibilityLimits(attrs: Record<string, string> = SEARCH_ATTRIBUTES): string[] {
  const counts = new Map<string, number>();
  for (const kind of Object.values(attrs)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].filter(([kind, n]) => n > (SQL_VISIBILITY_LIMITS[kind] ?? 0)).map(([kind, n]) => `${kind}: ${n} > ${SQL_VISIBILITY_LIMITS[kind] ?? 0}`);
}

export function serverConfigYaml(input: ServerConfigInput): string {
  return `# Written by temporal/server.ts from temporal/serverConfig.ts; edits are overwritten.\n${stringify(serverConfig(input))}`;
}

/** The standalone UI server's config (github.com/temporalio/ui-server/v2 config.Config). */
export function uiConfigYaml(ports: ServerPorts): string {
  return stringify({
    host: '127.0.0.1',
    port: ports.ui,
    temporalGrpcAddress: `127.0.0.1:${ports.frontend}`,
    enableUi: true,
    defaultNamespace: NAMESPACE,
    refreshInterval: '1m',
    cors: { cookieInsecure: true, allowOrigins: ['http://127.0.0.1:3000', 'http://localhost:3000'] },
    hideLogs: true,
  });
}

/**
 * The sql tool's arguments that bring one database to the newest schema, in order:
 * create it (skipped when it exists), set up the versioning tables at 0.0 (skipped when
 * they exist), then apply every versioned step newer than what the database has (a no-op
 * when current: this is also the upgrade path after a server version bump).
 */
/** The sql tool's sub-commands per database, without the connection flags (also in docker-compose.yml). */
export function schemaStepCommands(schemaName: string): { createDatabase: string[]; setupSchema: string[]; updateSchema: string[] } {
  return {
    createDatabase: ['create-database'],
    setupSchema: ['setup-schema', '-v', '0.0'],
    updateSchema: ['update-schema', '--schema-name', schemaName],
  };
}

export function schemaSteps(
  pg: PostgresTarget,
  database: string,
  schemaName: string,
): { createDatabase: string[]; setupSchema: string[]; updateSchema: string[] } {
  const conn = ['--plugin', SQL_PLUGIN, '--endpoint', pg.host, '--port', String(pg.port), '--user', pg.user, '--database', database];
  if (pg.password) conn.push('--password', pg.password);
  const steps = schemaStepCommands(schemaName);
  return {
    createDatabase: [...conn, ...steps.createDatabase],
    setupSchema: [...conn, ...steps.setupSchema],
    updateSchema: [...conn, ...steps.updateSchema],
  };
}
