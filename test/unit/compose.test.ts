// docker-compose.yml cannot run here (no Docker): this test keeps it describing the same
// topology as `npm run cluster` (temporal/serverConfig.ts, scripts/clusterTopology.ts):
// server and UI versions, schema steps, server config values, namespace, search attributes,
// the dynamic config file, and the numbers of worker and API processes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
// `yaml` comes with @fastify/swagger (a dependency), the parser the config writer uses too.
import { parse } from 'yaml';
import { DEFAULT_APIS, DEFAULT_WORKERS } from '../../scripts/clusterTopology';
import {
  DATABASES,
  NAMESPACE,
  NAMESPACE_RETENTION_HOURS,
  NUM_HISTORY_SHARDS,
  PORTS,
  SCHEMA_NAMES,
  SQL_MAX_CONNS,
  SQL_PLUGIN,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
  overVisibilityLimits,
  schemaStepCommands,
  searchAttributeSpecs,
  serverConfig,
} from '../../temporal/serverConfig';

const repoRoot = path.resolve(__dirname, '..', '..');
interface Service {
  image?: string;
  environment?: Record<string, string>;
  command?: string[] | string;
  ports?: string[];
  volumes?: string[];
  deploy?: { replicas?: number };
}
const compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const svc = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const tag = (image: string | undefined) => (image ?? '').split(':')[1] ?? '';
const script = (s: Service) => (Array.isArray(s.command) ? s.command.join('\n') : (s.command ?? ''));

describe('docker-compose.yml describes the topology of npm run cluster', () => {
  it('runs the same server, admin tools and UI versions', () => {
    expect(tag(svc('temporal').image)).toBe(TEMPORAL_SERVER_VERSION);
    expect(tag(svc('temporal-schema').image).split('-')[0]).toBe(TEMPORAL_SERVER_VERSION);
    expect(tag(svc('temporal-setup').image).split('-')[0]).toBe(TEMPORAL_SERVER_VERSION);
    expect(tag(svc('temporal-ui').image)).toBe(TEMPORAL_UI_VERSION);
  });

  it('sets up both schemas with the same sql tool steps, in the same order', () => {
    const schema = svc('temporal-schema');
    expect(schema.environment?.SQL_PLUGIN).toBe(SQL_PLUGIN);
    const lines = script(schema)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('temporal-sql-tool'))
      .map((l) => l.replace(/\s*\|\|.*$/, ''));
    const expected: string[] = [];
    for (const kind of ['persistence', 'visibility'] as const) {
      const steps = schemaStepCommands(SCHEMA_NAMES[kind]);
      for (const step of [steps.createDatabase, steps.setupSchema, steps.updateSchema]) {
        expected.push(['temporal-sql-tool', '--database', DATABASES.cluster[kind], ...step].join(' '));
      }
    }
    expect(lines).toEqual(expected);
  });

  it('configures the server as temporal/serverConfig.ts does', () => {
    const env = svc('temporal').environment ?? {};
    const config = serverConfig({
      ports: PORTS.cluster,
      databases: DATABASES.cluster,
      postgres: { host: 'postgres', port: 5432, user: 'railbook', password: 'railbook' },
    }) as { persistence: { numHistoryShards: number; datastores: Record<string, { sql: { pluginName: string; databaseName: string; maxConns: number } }> } };
    const stores = config.persistence.datastores;
    expect(env.DB).toBe(SQL_PLUGIN);
    expect(stores['postgres-default']?.sql.pluginName).toBe(SQL_PLUGIN);
    expect(env.DBNAME).toBe(stores['postgres-default']?.sql.databaseName);
    expect(env.VISIBILITY_DBNAME).toBe(stores['postgres-visibility']?.sql.databaseName);
    expect(Number(env.NUM_HISTORY_SHARDS)).toBe(NUM_HISTORY_SHARDS);
    expect(config.persistence.numHistoryShards).toBe(NUM_HISTORY_SHARDS);
    expect(Number(env.SQL_MAX_CONNS)).toBe(SQL_MAX_CONNS.persistence);
    expect(Number(env.SQL_VIS_MAX_CONNS)).toBe(SQL_MAX_CONNS.visibility);
    expect(env.PROMETHEUS_ENDPOINT).toBe(`0.0.0.0:${PORTS.cluster.metrics}`);
    expect(svc('temporal').ports).toEqual(expect.arrayContaining([`${PORTS.cluster.frontend}:7233`, `${PORTS.cluster.metrics}:${PORTS.cluster.metrics}`]));
    // The same dynamic config file, mounted where DYNAMIC_CONFIG_FILE_PATH points.
    expect(svc('temporal').volumes).toContain(`./temporal/dynamicconfig.yaml:${env.DYNAMIC_CONFIG_FILE_PATH}:ro`);
  });

  it('registers the same namespace, retention and search attributes, and waits for them', () => {
    const setup = svc('temporal-setup');
    expect(setup.environment?.NAMESPACE).toBe(NAMESPACE);
    expect(setup.environment?.RETENTION).toBe(`${NAMESPACE_RETENTION_HOURS}h`);
    expect(setup.environment?.SEARCH_ATTRIBUTES?.split(/\s+/)).toEqual(searchAttributeSpecs());
    expect(script(setup)).toContain('temporal workflow count');
    expect(svc('temporal-ui').environment?.TEMPORAL_DEFAULT_NAMESPACE).toBe(NAMESPACE);
    expect(svc('temporal-ui').ports).toEqual([`${PORTS.cluster.ui}:8080`]);
  });

  it('runs as many worker and API processes as npm run cluster, the API behind one port', () => {
    expect(svc('worker').deploy?.replicas).toBe(DEFAULT_WORKERS);
    expect(svc('api').deploy?.replicas).toBe(DEFAULT_APIS);
    expect(svc('api').ports ?? []).toEqual([]);
    expect(svc('api-lb').ports).toEqual(['3000:3000']);
  });
});

describe('temporal/serverConfig.ts', () => {
  it('keeps the search attributes within the SQL visibility limits', () => {
    expect(overVisibilityLimits()).toEqual([]);
    expect(overVisibilityLimits({ ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`K${i}`, 'Keyword'])) })).toEqual(['Keyword: 11 > 10']);
  });

  it('gives tests and the benchmark their own ports and databases', () => {
    const used = (p: (typeof PORTS)[keyof typeof PORTS]) => [p.frontend, p.frontendHttp, p.history, p.matching, p.worker, p.metrics, p.ui, ...Object.values(p.membership)];
    const all = [...used(PORTS.cluster), ...used(PORTS.test), ...used(PORTS.bench)];
    expect(new Set(all).size).toBe(all.length);
    // Never the dev/test/bench/chaos/fuzz dev servers' ports.
    for (const taken of [7243, 8243, 7253, 8253, 7263, 7270, 8270, 7280, 8280, 9490, 9464]) expect(all).not.toContain(taken);
    const dbs = Object.values(DATABASES).flatMap((d) => [d.persistence, d.visibility]);
    expect(new Set(dbs).size).toBe(dbs.length);
  });
});
