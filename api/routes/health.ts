import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

const Check = Type.Object({ ok: Type.Boolean(), ms: Type.Number(), error: Type.Optional(Type.String()) });
const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')]),
  checks: Type.Object({ postgres: Check, redis: Check, temporal: Check }),
});

/** Each check has its own deadline (the clients' too): readiness answers within ~3 s whatever is down. */
async function timed(fn: () => Promise<unknown>): Promise<{ ok: boolean; ms: number; error?: string }> {
  const start = performance.now();
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), 3000)))]).finally(() =>
      clearTimeout(timer),
    );
    return { ok: true, ms: Math.round(performance.now() - start) };
  } catch (err) {
    // Names the failing dependency without echoing connection strings.
    return { ok: false, ms: Math.round(performance.now() - start), error: (err as Error).name || 'error' };
  }
}

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: Postgres, Redis and Temporal answer',
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_req, reply) => {
      const [postgres, redis, temporal] = await Promise.all([
        timed(() => app.pingDb()),
        timed(() => app.redis.ping()),
        timed(() => app.pingTemporal()),
      ]);
      // Each check asks the dependency afresh (never the gates' memo). A dependency that answered
      // opens its gate at once; a failed check does not close it (a slow answer under load is not an outage).
      if (postgres.ok) app.postgresGate.observe(true);
      if (temporal.ok) app.temporalGate.observe(true);
      const ready = postgres.ok && redis.ok && temporal.ok;
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks: { postgres, redis, temporal } });
    },
  );
};

export default health;
