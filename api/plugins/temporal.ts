import { Client, Connection } from '@temporalio/client';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    temporal: Client;
    pingTemporal(): Promise<void>;
  }
}

export default fp<{ address: string; namespace: string }>(
  async (app, opts) => {
    // Lazy: the API starts (and /readyz can say why it is not ready) even
    // while the Temporal server is still coming up.
    const connection = Connection.lazy({ address: opts.address, connectTimeout: '3s' });
    const client = new Client({ connection, namespace: opts.namespace });
    app.decorate('temporal', client);
    app.decorate('pingTemporal', async () => {
      await connection.ensureConnected();
      await connection.withDeadline(Date.now() + 3000, () =>
        connection.workflowService.describeNamespace({ namespace: opts.namespace }),
      );
    });
    app.addHook('onClose', async () => connection.close());
  },
  { name: 'temporal' },
);
