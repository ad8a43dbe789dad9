import fp from 'fastify-plugin';
import { createDb, type Db } from '../../db/client';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    pingDb(): Promise<void>;
  }
}

export default fp<{ databaseUrl: string }>(
  async (app, opts) => {
    const handle = createDb(opts.databaseUrl, { max: 20, applicationName: 'railbook-api' });
    app.decorate('db', handle.db);
    app.decorate('pingDb', async () => {
      await handle.pool.query('select 1');
    });
    app.addHook('onClose', async () => handle.close());
  },
  { name: 'db' },
);
